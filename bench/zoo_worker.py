"""The zoo benchmark's worker: runs inside ``bench/_work/zoo-venv`` (torch 2.14.1 + torchvision + the zoos).

    python bench/zoo_worker.py list [--only ZOO] [--limit N]     # one model id a line
    python bench/zoo_worker.py run IDS_FILE [--deferred]         # one JSON line per model on stdout

``run`` prints ``{"start": id}`` before each model and its result after, so the driver
(``bench/zoo.py``) can time each model out, restart the worker behind a hang or a crash, and
record which model it was.  Everything is measured through paraminit's public API only.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from pytest_paraminit import build_and_check, build_deferred_and_check  # noqa: E402
from zoo_models import ZOOS, Unbuildable, list_models, prepare  # noqa: E402

TINY_BUILD, SMALL_BUILD = 0.01, 0.05  # plain builds shorter than these get more repeats
MEMORY_LIMIT = 10 * 2**30  # address space per worker: a model that needs more fails here, not the machine
FIXED_COST_REPEATS = 41


def _seconds(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds (every thread of this process) of ``action``, and its result."""
    torch.manual_seed(0)
    cpu, start = time.process_time(), time.perf_counter()
    result = action()
    return time.perf_counter() - start, time.process_time() - cpu, result


def _collect() -> None:
    """A collection before each timed build, cheap because everything imported so far is frozen.

    A full ``gc.collect()`` walks the whole import graph of transformers & co. (0.3-0.5 s here), which
    made a tiny model's measurement last seconds; frozen objects are skipped."""
    gc.collect()


def _freeze() -> None:
    gc.collect()
    gc.freeze()


def _repeats(first_plain: float) -> int:
    """Alternating (checked, plain) pairs to time: more for short builds, whose times scatter most."""
    return 7 if first_plain < TINY_BUILD else 5 if first_plain < SMALL_BUILD else 3 if first_plain < 2 else 1


def _describe(error: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    return text.splitlines()[0][:400] if text else type(error).__name__


def _finding_rows(report) -> list[dict[str, Any]]:
    data = report.to_json()
    params = {p["name"]: p for p in data["parameters"]}
    rows = []
    for finding in data["findings"]:
        param = params.get(finding["name"], {})
        rows.append({key: finding[key] for key in ("check", "name", "measured", "expected", "site", "allowed")}
                    | {"role": param.get("role"), "fan_in": param.get("fan_in"), "shape": param.get("shape"),
                       "std": param.get("std")})
    return rows


def measure_builds(factory: Callable[[], nn.Module]) -> dict[str, Any]:
    """Plain and checked builds in alternating order; medians of wall and CPU time, the checked report's findings.

    The first plain build (imports, caches) only decides the number of repeats; a collection precedes each build."""
    first_plain, _, model = _seconds(factory)
    parameters = sum(p.numel() for p in model.parameters() if not isinstance(p, nn.parameter.UninitializedParameter))
    del model
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], "checked": []}
    check_seconds = []
    report = None
    for index in range(_repeats(first_plain)):
        for side in (("checked", "plain") if index % 2 == 0 else ("plain", "checked")):
            _collect()
            if side == "plain":
                wall, cpu, model = _seconds(factory)
            else:
                wall, cpu, (model, report) = _seconds(lambda: build_and_check(factory))
                check_seconds.append(report.seconds)
            runs[side].append((wall, cpu))
            del model
    plain, checked = runs["plain"], runs["checked"]
    return {
        "parameters": parameters,
        "plain_s": statistics.median(w for w, _ in plain), "checked_s": statistics.median(w for w, _ in checked),
        "plain_cpu_s": statistics.median(c for _, c in plain), "checked_cpu_s": statistics.median(c for _, c in checked),
        "check_s": statistics.median(check_seconds),
        "plain_runs": [w for w, _ in plain], "checked_runs": [w for w, _ in checked],
        "failed": report.failed, "error": report.error,
        "findings": _finding_rows(report),
    }


def _initializers(module: nn.Module) -> list[str]:
    """The initializers a training script would run after ``to_empty()`` that this model has."""
    kind = type(module)
    return ["reset_parameters"] + [name for name in ("init_weights", "_init_weights", "post_init")
                                   if callable(getattr(kind, name, None))]


def measure_deferred(factory: Callable[[], nn.Module]) -> dict[str, Any]:
    """For each initializer the model has: does every parameter and buffer end initialized after ``to_empty()``?"""
    with torch.device("meta"):
        try:
            probe = factory()
        except Exception as error:  # the model cannot be built on meta at all
            return {"reset_parameters": {"ready": False, "error": f"meta build raised {_describe(error)}"}}
    initializers = _initializers(probe)
    del probe
    results = {}
    for name in initializers:
        torch.manual_seed(0)
        try:
            _, report = build_deferred_and_check(factory, initialize=name, compare=False)
        except Exception as error:  # noqa: BLE001 - recorded, never raised
            results[name] = {"ready": False, "error": f"raised {_describe(error)}"}
            continue
        raw = [f for f in report.findings if f.check == "uninitialized"]
        parameters = [f.name for f in raw if "(buffer)" not in f.measured]
        buffers = [f.name for f in raw if "(buffer)" in f.measured]
        results[name] = {"ready": report.error is None and not raw, "error": report.error,
                         "parameters_ready": report.error is None and not parameters,
                         "uninitialized": len(parameters), "examples": parameters[:5],
                         "uninitialized_buffers": len(buffers), "buffer_examples": buffers[:5]}
        del report
        _collect()
    return results


def fixed_cost() -> dict[str, float]:
    """``build_and_check`` of a trivial module against building it plainly, alternating; medians."""
    def factory():
        return nn.Linear(4, 4)

    first_plain, _, _ = _seconds(factory)
    first_checked, _, _ = _seconds(lambda: build_and_check(factory))  # the first call in this process
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], "checked": []}
    for index in range(FIXED_COST_REPEATS):
        for side in (("plain", "checked") if index % 2 else ("checked", "plain")):
            wall, cpu, _ = _seconds(factory if side == "plain" else lambda: build_and_check(factory))
            runs[side].append((wall, cpu))
    plain, checked = runs["plain"], runs["checked"]
    return {"plain_s": statistics.median(w for w, _ in plain), "checked_s": statistics.median(w for w, _ in checked),
            "fixed_ms": 1000 * (statistics.median(w for w, _ in checked) - statistics.median(w for w, _ in plain)),
            "fixed_cpu_ms": 1000 * (statistics.median(c for _, c in checked) - statistics.median(c for _, c in plain)),
            "first_call_ms": 1000 * (first_checked - first_plain)}


def run_one(model_id: str, deferred: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"id": model_id}
    try:
        factory, info = prepare(model_id)
    except Unbuildable as reason:
        return record | {"status": "unbuildable", "reason": str(reason), **reason.info}
    except Exception as error:  # noqa: BLE001 - preparing is part of what is measured
        return record | {"status": "unbuildable", "reason": f"preparing raised {_describe(error)}"}
    record.update(info)
    _freeze()  # the modules that preparing imported
    try:
        record.update(measure_builds(factory))
    except Exception as error:  # noqa: BLE001
        return record | {"status": "build-failed", "reason": f"plain build raised {_describe(error)}"}
    record["status"] = "built"
    if deferred:
        record["deferred"] = measure_deferred(factory)
    return record


_PROTOCOL = sys.stdout  # the driver reads JSON lines here; whatever models print goes to stderr


def _emit(data: dict[str, Any]) -> None:
    _PROTOCOL.write(json.dumps(data, default=str) + "\n")
    _PROTOCOL.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list")
    listing.add_argument("--only", action="append", choices=sorted(ZOOS))
    listing.add_argument("--limit", type=int)
    running = sub.add_parser("run")
    running.add_argument("ids_file")
    running.add_argument("--deferred", action="store_true")
    running.add_argument("--fixed-cost", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    # a config that shrinks badly can ask for tens of GB; on a shared machine that must be a MemoryError
    # in this process, not the kernel's OOM killer picking someone's process
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    if args.command == "list":
        for model_id in list_models(args.only, args.limit):
            print(model_id, flush=True)
        return
    sys.stdout = sys.stderr
    if args.fixed_cost:
        _emit({"fixed_cost": fixed_cost()})
    for model_id in Path(args.ids_file).read_text().split():
        _emit({"start": model_id})
        _emit(run_one(model_id, args.deferred))


if __name__ == "__main__":
    main()
