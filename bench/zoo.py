"""The runtime checker on real model zoos: false findings, real defects, time ratios, deferred readiness.

    python bench/zoo.py                         # every zoo (~1,000 models, about an hour on 2 busy cores)
    python bench/zoo.py --only timm --limit 5   # a sample while developing
    python bench/zoo.py --report                # print the summary of the last run again (after judging)

About a thousand models are built from config with no weights, from pinned releases on the package
index: one per timm family, every torchvision builder, every transformers model type (config shrunk by
``bench/zoo_shrink.py``), every diffusers model class, every peft method on a tiny Llama, every
torch_geometric convolution, open_clip models, every segmentation_models_pytorch architecture and a
set of x_transformers variants.  timm and torchvision need a torch that matches torchvision, so the
zoo runs in its own venv, ``bench/_work/zoo-venv`` (torch 2.14.1 + torchvision 0.29.1 from this
machine's disk, about 6 GB in all), never in CI (which stays on torch 2.13).

For each model (``bench/zoo_worker.py``, in worker processes that the driver restarts behind a hang
or a crash): plain and checked (``build_and_check``) build times, alternating, medians over repeats
for small builds; the checked build's findings; and with ``--deferred`` the meta-device path
(``build_deferred_and_check``) with each initializer the model has.  Every finding is looked up in
``bench/zoo-judged.tsv`` (judged by reading the model's source: TP a real defect, FP a false
finding, with a class).  Prints the wrongly-failed rate (models failed only by FP findings), the
precision of findings, real defects no longer caught, unjudged findings (exit 1 if any), time ratios
and the deferred-readiness table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import queue
import signal
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zoo_summary import print_summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "_work"
VENV = WORK / "zoo-venv"
OUT = WORK / "zoo"
JUDGED = BENCH / "zoo-judged.tsv"
TORCH = ("torch==2.14.1", "torchvision==0.29.1")  # the pair that lies on this machine's disk; never another spec
ZOO_PACKAGES = (
    "timm==1.0.31", "transformers==5.23.0", "diffusers==0.42.1", "peft==0.21.2", "torch_geometric==2.8.1",
    "open_clip_torch==3.3.0", "x-transformers==2.31.10", "segmentation_models_pytorch==0.6.0", "libcst==1.9.0",
)
ZOOS = ("timm", "torchvision", "transformers", "diffusers", "peft", "torch_geometric", "open_clip",
        "segmentation_models_pytorch", "x_transformers")


# ---------------------------------------------------------------------------- the venv


def venv_python() -> Path:
    return VENV / "bin" / "python"


def _installed_pins(python: Path) -> bool:
    wanted = [spec.split("==") for spec in (*TORCH, *ZOO_PACKAGES)]
    probe = ("import importlib.metadata as m, json, sys; w = json.loads(sys.argv[1]);"
             "print(all(m.version(n).split('+')[0] == v for n, v in w))")
    done = subprocess.run([python, "-c", probe, json.dumps(wanted)], capture_output=True, text=True)
    return done.stdout.strip() == "True"


def ensure_venv() -> Path:
    """``bench/_work/zoo-venv`` with the pinned torch pair, the zoos and this checkout; made once."""
    python = venv_python()
    if python.exists() and _installed_pins(python):
        return python
    print(f"creating {VENV} (torch 2.14.1 + torchvision 0.29.1 from local files, ~6 GB) ...", flush=True)
    if not python.exists():
        venv.create(VENV, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *TORCH], check=True)
    subprocess.run([*pip, *TORCH, *ZOO_PACKAGES], check=True)  # torch named again: nothing may replace it
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    if not _installed_pins(python):
        raise SystemExit(f"{VENV} does not hold the pinned versions; remove it and rerun")
    return python


def versions(python: Path) -> dict[str, str]:
    names = ["torch", "torchvision"] + [spec.split("==")[0] for spec in ZOO_PACKAGES]
    probe = "import importlib.metadata as m, json, sys; print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
    return json.loads(subprocess.run([python, "-c", probe, *names], capture_output=True, text=True,
                                     check=True).stdout)


# ---------------------------------------------------------------------------- running workers


CODE = ROOT  # the paraminit checkout the workers import (``--code`` picks a committed revision)


def _environment() -> dict[str, str]:
    # CODE's paraminit, whatever the venv's editable install points at; the bench scripts stay this checkout's
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(CODE), os.environ.get("PYTHONPATH")])),
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false",
            "PYTHONWARNINGS": "ignore"}


def list_ids(python: Path, only: list[str] | None, limit: int | None, every: int = 1) -> list[str]:
    """The model ids; with ``every`` K, every K-th of them (a sample spread over all zoos)."""
    command = [str(python), str(BENCH / "zoo_worker.py"), "list"]
    for zoo in only or ():
        command += ["--only", zoo]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, env=_environment())
    if done.returncode:
        raise SystemExit(f"listing the zoo failed:\n{done.stderr[-3000:]}")
    return done.stdout.split()[::every]


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_worker(python: Path, ids: list[str], args: argparse.Namespace, log, partial, index: int,
               results: list[dict]) -> dict | None:
    """Run ``ids`` in a worker; restart it behind a model that hangs or crashes.  Returns the fixed cost."""
    fixed = None
    remaining = list(ids)
    first = True
    while remaining:
        ids_file = OUT / f"ids-{index}.txt"
        ids_file.write_text("\n".join(remaining))
        command = ["nice", "-n", str(args.nice), str(python), str(BENCH / "zoo_worker.py"), "run", str(ids_file)]
        command += ["--deferred"] if args.deferred else []
        command += ["--fixed-cost"] if first and index == 0 else []
        first = False
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=_environment(),
                                   start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
        current = None
        while True:
            try:
                line = lines.get(timeout=args.timeout if current else args.timeout + 120)
            except queue.Empty:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                _record(results, partial,
                        {"id": current, "status": "timeout", "reason": f"no result in {args.timeout} s"})
                print(f"  {current}: timeout", flush=True)
                remaining = remaining[remaining.index(current) + 1:] if current in remaining else remaining[1:]
                break
            if line is None:
                process.wait()
                if current is not None:
                    _record(results, partial, {"id": current, "status": "crashed",
                                               "reason": f"worker exited with {process.returncode}"})
                    print(f"  {current}: worker crashed ({process.returncode})", flush=True)
                    remaining = remaining[remaining.index(current) + 1:]
                else:
                    remaining = []
                break
            try:
                data = json.loads(line)
            except json.JSONDecodeError:  # a model printed to the protocol stream: keep it in the log
                log.write(f"worker {index} printed: {line}")
                continue
            if "fixed_cost" in data:
                fixed = data["fixed_cost"]
            elif "start" in data:
                current = data["start"]
            else:
                _record(results, partial, data)
                remaining.remove(data["id"])
                current = None
                _progress(data, len(results))
    return fixed


def _record(results: list[dict], partial, data: dict) -> None:
    results.append(data)
    partial.write(json.dumps(data, default=str) + "\n")
    partial.flush()


def _progress(data: dict, count: int) -> None:
    if data["status"] != "built":
        print(f"  [{count}] {data['id']}: {data['status']}: {data.get('reason', '')[:150]}", flush=True)
        return
    failing = sorted({f"{f['check']}" for f in data["findings"]})
    print(f"  [{count}] {data['id']}: plain {1000 * data['plain_s']:.0f} ms, checked {1000 * data['checked_s']:.0f} ms"
          f"{', findings: ' + ', '.join(failing) if failing else ''}", flush=True)


def _resumed(ids: list[str]) -> tuple[list[dict], list[str]]:
    """Results of the interrupted run in results.jsonl for these ids, and the ids still to run."""
    done = {}
    path = OUT / "results.jsonl"
    for line in path.read_text().splitlines() if path.exists() else []:
        record = json.loads(line)
        if record.get("id") in ids:
            done[record["id"]] = record
    print(f"resuming: {len(done)} models already measured, {len(ids) - len(done)} to go", flush=True)
    return list(done.values()), [model_id for model_id in ids if model_id not in done]


def run_zoo(python: Path, ids: list[str], args: argparse.Namespace) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    fixed: list[dict | None] = [None]
    every_id, to_run = ids, ids
    if args.resume:
        results, to_run = _resumed(ids)
    shares = [to_run[i::args.jobs] for i in range(args.jobs)]
    # results.jsonl grows model by model, so a long run can be read (and judged) while it goes on
    with open(OUT / "worker.log", "a") as log, open(OUT / "results.jsonl", "a" if args.resume else "w") as partial:
        def work(index: int) -> None:
            cost = run_worker(python, shares[index], args, log, partial, index, results)
            if index == 0:
                fixed[0] = cost
        threads = [threading.Thread(target=work, args=(i,)) for i in range(args.jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if fixed[0] is None:  # nothing was left to run (a resumed run): measure it on its own
        fixed[0] = measure_fixed_cost(python)
    order = {model_id: position for position, model_id in enumerate(every_id)}
    results.sort(key=lambda r: order.get(r["id"], len(order)))
    return {"fixed_cost": fixed[0], "models": results}


# ---------------------------------------------------------------------------- main


def load_judged(path: Path = JUDGED) -> dict[tuple[str, str, str, str], dict[str, str]]:
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {(r["zoo"], r["model"], r["parameter"], r["check"]): r for r in rows}


def main() -> None:
    global OUT, CODE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=ZOOS, help="run one zoo (repeatable)")
    parser.add_argument("--limit", type=int, help="the first N models of each zoo")
    parser.add_argument("--deferred", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the meta-device path with each initializer (default: on)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (timings are per process)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one model may take")
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--report", action="store_true", help="summarize the last run's results.json again")
    parser.add_argument("--finalize", action="store_true",
                        help="write results.json from an interrupted run's results.jsonl; "
                             "models not reached are 'not run'")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where results go (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--resume", action="store_true",
                        help="keep the models an interrupted run already wrote to results.jsonl, run the rest")
    parser.add_argument("--every", type=int, default=1, metavar="K",
                        help="a sample: every K-th model of the list (after --only and --limit)")
    parser.add_argument("--code", metavar="REV",
                        help="measure paraminit at this git revision (a worktree under bench/_work/revisions) "
                             "instead of this checkout; the benchmark scripts stay this checkout's")
    args = parser.parse_args()
    OUT = args.out.resolve()
    if args.code:
        from equivalence import checkout

        CODE = checkout(args.code)
    results_path = OUT / "results.json"
    if args.report:
        data = _last_results(results_path)
    elif args.finalize:
        data = _last_results(results_path)
        done = {model["id"] for model in data["models"]}
        missing = [model_id for model_id in list_ids(venv_python(), args.only, args.limit, args.every)
                   if model_id not in done]
        data["models"] += [{"id": model_id, "status": "not run", "reason": "the run was stopped before this model"}
                           for model_id in missing]
        results_path.write_text(json.dumps(data, indent=1, default=str))
        print(f"wrote {results_path}: {len(done)} models measured, {len(missing)} not run")
    else:
        python = ensure_venv()
        ids = list_ids(python, args.only, args.limit, args.every)
        print(f"{len(ids)} models in {', '.join(args.only or ZOOS)}; deferred pass {'on' if args.deferred else 'off'}",
              flush=True)
        start = time.perf_counter()
        data = {"versions": versions(python), "commit": _commit(), "machine": platform.platform(),
                "python": platform.python_version(), "options": {k: v for k, v in vars(args).items()},
                **run_zoo(python, ids, args)}
        data["wall_s"] = time.perf_counter() - start
        results_path.write_text(json.dumps(data, indent=1, default=str))
        print(f"wrote {results_path} ({data['wall_s'] / 60:.1f} min)")
    print(f"versions: {', '.join(f'{k} {v}' for k, v in data['versions'].items())}; paraminit at {data['commit']}")
    result = print_summary(data, load_judged())
    sys.exit(1 if result["unjudged"] else 0)


def _last_results(results_path: Path) -> dict[str, Any]:
    """The last finished run, or the models an unfinished one has written to results.jsonl so far."""
    partial = OUT / "results.jsonl"
    if results_path.exists() and (not partial.exists() or results_path.stat().st_mtime >= partial.stat().st_mtime):
        return json.loads(results_path.read_text())
    models = {}
    for line in partial.read_text().splitlines():
        record = json.loads(line)
        models[record["id"]] = record
    print(f"(unfinished run: {len(models)} models from {partial}; fixed cost measured now)")
    return {"versions": versions(venv_python()), "commit": _commit(), "fixed_cost": measure_fixed_cost(venv_python()),
            "models": list(models.values())}


def measure_fixed_cost(python: Path) -> dict | None:
    """The fixed cost alone, from a worker given no models."""
    empty = OUT / "ids-none.txt"
    empty.write_text("")
    done = subprocess.run(["nice", "-n", "10", str(python), str(BENCH / "zoo_worker.py"), "run", str(empty),
                           "--fixed-cost"], capture_output=True, text=True, env=_environment())
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return next((line["fixed_cost"] for line in lines if "fixed_cost" in line), None)


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=CODE, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "pytest_paraminit"], cwd=CODE, capture_output=True,
                           text=True).stdout.strip()
    return done.stdout.strip() + (" (pytest_paraminit modified)" if dirty else "")


if __name__ == "__main__":
    main()
