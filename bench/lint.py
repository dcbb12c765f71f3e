"""Benchmark ``paraminit check`` against Ruff and TorchFix on the ``transformers`` source tree.

    python bench/lint.py            # full run, every timing 3 times (about 8 minutes on 2 cores)
    python bench/lint.py --quick    # one round, smaller TorchFix sample and equivalence subset

Everything it needs lands in ``bench/_work/`` (gitignored): the ``transformers`` wheel from
the package index, unpacked, and a venv holding TorchFix and Ruff. TorchFix does not depend
on torch (its wheel metadata asks for flake8, PyYAML and libcst<1.6 only), so the venv is
isolated and never downloads torch. The sides run in turns, round after round, so load from
other work on the machine spreads over all of them; medians are reported, and each target
is a ratio of two medians from the same run. Nothing here is asserted in the test suite.

Besides timing, the benchmark checks what the speed-ups must not change:

* the findings of a cold run equal those of the analysis with every speed-up off
  (``AnalysisSettings(prefilter=False)``), file by file;
* a warm run, and a run after editing one file, report the same findings;
* after editing one file only that file is analysed: every cached entry gets a sentinel
  finding first, and every other file must come back with it (answered from the cache).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import venv
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TRANSFORMERS = "transformers==5.23.0"
BENCH_TOOLS = ("torchfix", "ruff")
WORK = Path(__file__).resolve().parent / "_work"
TREE = WORK / "tree"
PACKAGE = "transformers"
EDITED_FILE = "transformers/models/bert/modeling_bert.py"
SENTINEL_MESSAGE = "paraminit-bench sentinel: answered from the cache"
MEMORY_TARGET_MB = 300
TORCHFIX_TARGET_RATIO = 50


# ---------------------------------------------------------------------------- inputs


def run_quietly(command: Sequence[str | Path], **kwargs: Any) -> None:
    subprocess.run([str(part) for part in command], check=True, stdout=subprocess.DEVNULL, **kwargs)


def prepare_tree() -> Path:
    """The unpacked ``transformers`` package, with settings files that root both tools here."""
    package = TREE / PACKAGE
    if not package.is_dir():
        dist = WORK / "dist"
        dist.mkdir(parents=True, exist_ok=True)
        if not list(dist.glob("transformers-*.whl")):
            print(f"downloading {TRANSFORMERS} ...", flush=True)
            run_quietly([sys.executable, "-m", "pip", "download", TRANSFORMERS, "--no-deps", "-d", dist])
        wheel = next(dist.glob("transformers-*.whl"))
        staging = TREE.with_name("tree.partial")
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(staging, [n for n in archive.namelist() if n.startswith(f"{PACKAGE}/")])
        shutil.rmtree(TREE, ignore_errors=True)
        staging.rename(TREE)
    # empty tool tables: default rules for both, and paraminit's cache lives in the tree
    (TREE / "pyproject.toml").write_text("[tool.ruff]\n\n[tool.paraminit]\n", encoding="utf-8")
    return package


def prepare_venv() -> Path:
    """``bench/_work/venv`` with TorchFix and Ruff; returns its ``bin`` directory."""
    environment = WORK / "venv"
    scripts = environment / ("Scripts" if os.name == "nt" else "bin")
    if not all((scripts / tool).exists() for tool in BENCH_TOOLS):
        print("creating the venv for TorchFix and Ruff ...", flush=True)
        venv.create(environment, with_pip=True, clear=True)
        run_quietly([scripts / "python", "-m", "pip", "install", "--quiet", *BENCH_TOOLS])
    if subprocess.run([scripts / "python", "-c", "import torch"], capture_output=True).returncode == 0:
        raise SystemExit(f"{environment} holds torch; remove the venv and rerun")
    return scripts


def use_code_at(revision: str) -> str:
    """Run paraminit from ``revision`` of this repository, exported to ``bench/_work/src``:
    edits others make to the working tree during a run change neither timings nor findings."""
    repository = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    source = WORK / "src" / commit
    if not source.is_dir():
        archive = subprocess.run(
            ["git", "archive", commit, "ruff_like_rules"], cwd=repository, check=True, capture_output=True
        )
        staging = source.with_name(f"{commit}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(staging, filter="data")
        staging.rename(source)
    sys.path.insert(0, str(source))  # before anything imports ruff_like_rules
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    return commit[:12]


def revision_module(laid_out: str, flat: str) -> Any:
    """A module of the revision under test: its path since the package was laid out in layers
    (issue 11), or the flat one it had before, so ``--code`` reaches back past that change.
    Decided by the package's own files: an editable install of another revision would answer
    an import of the laid-out path from its own tree."""
    import ruff_like_rules

    layered = (Path(ruff_like_rules.__file__).parent / "workspace").is_dir()
    return importlib.import_module(laid_out if layered else flat)


def tool_versions(scripts: Path) -> dict[str, str]:
    tool_version = revision_module("ruff_like_rules.workspace.cache", "ruff_like_rules.cache").tool_version

    def version(command: list[str | Path]) -> str:
        return subprocess.run([str(c) for c in command], capture_output=True, text=True).stdout.strip().split()[-1]

    return {
        "paraminit": tool_version(),
        "ruff": version([scripts / "ruff", "--version"]),
        "torchfix": version([scripts / "torchfix", "--version"]),
        "libcst (paraminit)": version(
            [sys.executable, "-c", "from importlib.metadata import version; print(version('libcst'))"]
        ),
        "libcst (torchfix)": version(
            [scripts / "python", "-c", "from importlib.metadata import version; print(version('libcst'))"]
        ),
    }


# ---------------------------------------------------------------------------- measuring


def _process_tree(root: int) -> list[int]:
    """``root`` and its descendants, from the parent ids in ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; forked workers share pages, which PSS splits fairly."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


@dataclasses.dataclass
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system of the whole process tree
    peak_rss_mb: float  # sum over the process tree at its sampled peak
    peak_pss_mb: float
    largest_process_mb: float  # ru_maxrss of the biggest single process
    exit_code: int


def measure(command: Sequence[str | Path], cwd: Path, stdout: Path | None = None) -> Measurement:
    """Wall time, CPU time and peak memory of ``command`` and every process it starts."""
    can_sample = Path("/proc/self/smaps_rollup").exists()
    peaks = [0, 0]
    done = threading.Event()
    with open(stdout or os.devnull, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen([str(c) for c in command], cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)

        def sample() -> None:
            while not done.wait(0.05):
                totals = [0, 0]
                for pid in _process_tree(process.pid):
                    for index, value in enumerate(_memory_kb(pid)):
                        totals[index] += value
                peaks[:] = [max(p, t) for p, t in zip(peaks, totals, strict=True)]

        sampler = threading.Thread(target=sample, daemon=True)
        if can_sample:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        process.returncode = os.waitstatus_to_exitcode(status)
    if can_sample:
        sampler.join()
    return Measurement(
        seconds,
        usage.ru_utime + usage.ru_stime,
        peaks[0] / 1024,
        peaks[1] / 1024,
        usage.ru_maxrss / 1024,
        process.returncode,
    )


@dataclasses.dataclass
class Side:
    """One thing timed each round; ``before`` runs untimed first (clearing a cache, editing)."""

    label: str
    command: list[str | Path]
    before: Callable[[int], None] | None = None
    stdout: Path | None = None
    runs: list[Measurement] = dataclasses.field(default_factory=list)

    def run(self, round_number: int) -> Measurement:
        if self.before is not None:
            self.before(round_number)
        measurement = measure(self.command, TREE, self.stdout)
        if measurement.exit_code not in (0, 1):
            raise SystemExit(f"{self.label}: exit code {measurement.exit_code}: {' '.join(map(str, self.command))}")
        self.runs.append(measurement)
        return measurement

    def median(self) -> float:
        return statistics.median(m.seconds for m in self.runs)

    def best(self) -> float:
        return min(m.seconds for m in self.runs)

    def cpu(self) -> float:
        return statistics.median(m.cpu_seconds for m in self.runs)


@dataclasses.dataclass
class Target:
    """A figure against its target; for timings also the best-of-N and CPU-time ratios,
    which load from other work on the machine disturbs less than the medians."""

    name: str
    value: float
    target: str
    passed: bool
    best: float | None = None
    cpu: float | None = None

    @classmethod
    def ratio(cls, name: str, side: Side, other: Side, at_most: float, per: tuple[int, int] = (1, 1)) -> Target:
        """``side / other`` (each divided by its count in ``per``) must stay at most ``at_most``;
        with ``at_most`` negative, ``other / side`` must reach ``-at_most``."""
        scale = per[1] / per[0]

        def of(measure: Callable[[Side], float]) -> float:
            value = measure(side) / measure(other) * scale
            return 1 / value if at_most < 0 else value

        value = of(Side.median)
        passed = value <= at_most if at_most > 0 else value >= -at_most
        target = f"<= {at_most:g}" if at_most > 0 else f">= {-at_most:g}"
        return cls(name, value, target, passed, of(Side.best), of(Side.cpu))

    def line(self) -> str:
        extra = f"   best-of-N {self.best:.2f}, CPU time {self.cpu:.2f}" if self.best is not None else ""
        return (
            f"  {'PASS' if self.passed else 'FAIL'}  {self.name:<34} {self.value:8.2f}   (target {self.target}){extra}"
        )


# ---------------------------------------------------------------------------- findings


def findings_by_file(report: Path) -> dict[str, list[dict[str, Any]]]:
    """``paraminit check --output-format json`` output, grouped by file name."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(report.read_text(encoding="utf-8")):
        grouped.setdefault(finding["filename"], []).append(finding)
    return grouped


def unfiltered_findings(package: Path, every: int) -> dict[str, list[dict[str, Any]]]:
    """Findings of every ``every``-th file with all speed-ups off, on 2 worker processes."""
    from ruff_like_rules.output.json import finding_object

    config = revision_module("ruff_like_rules.workspace.config", "ruff_like_rules.config")
    runner = revision_module("ruff_like_rules.workspace.runner", "ruff_like_rules.runner")
    discovery = revision_module("ruff_like_rules.workspace.discovery", "ruff_like_rules.runner")
    Overrides, Resolver, Discovery = config.Overrides, config.Resolver, discovery.Discovery
    FileResult, Task, analyze_many = runner.FileResult, runner.Task, runner.analyze_many

    resolver = Resolver(overrides=Overrides(), cwd=TREE)
    candidates = sorted(Discovery(resolver).files([str(package)]), key=lambda c: c.path)[::every]
    tasks = [
        Task(
            c.path, dataclasses.replace(resolver.settings_for(c.path), prefilter=False), c.stat.st_size if c.stat else 0
        )
        for c in candidates
    ]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for task, (_, findings, *_) in zip(tasks, analyze_many(tasks, jobs=2), strict=True):
        result = FileResult(task.path, str(task.path), findings)
        grouped[str(task.path)] = [finding_object(result, finding) for finding in findings]
    return {name: found for name, found in grouped.items() if found}


def compare(label: str, expected: dict[str, list[dict[str, Any]]], actual: dict[str, list[dict[str, Any]]]) -> bool:
    differing = sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
    count = sum(len(found) for found in expected.values())
    if differing:
        print(f"  FAIL  {label}: {len(differing)} files differ, e.g. {differing[:3]}")
    else:
        print(f"  PASS  {label}: {count} findings in {len(expected)} files, identical file by file")
    return not differing


def only_edited_file_reanalysed(command: list[str | Path], edit: Callable[[int], None], report: Path) -> bool:
    """Plant a sentinel finding in every cached entry, edit one file, rerun: every other
    file must come back with the sentinel (served from the cache), the edited one without."""
    cache_file = max((TREE / ".paraminit_cache").glob("*/*.json"), key=lambda p: p.stat().st_mtime)
    original = cache_file.read_bytes()
    entries = json.loads(original)
    sentinel = ["PIN000", "bench-sentinel", SENTINEL_MESSAGE, 1, 0, 1, 0, None]
    for entry in entries.values():
        entry[4].append(sentinel)
    cache_file.write_text(json.dumps(entries), encoding="utf-8")
    try:
        edit(-1)
        measure(command, TREE, report)
    finally:
        cache_file.write_bytes(original)
    served = {f["filename"] for f in json.loads(report.read_text(encoding="utf-8")) if f["message"] == SENTINEL_MESSAGE}
    edited = str(TREE / EDITED_FILE)
    # files whose analysis read the edited one (a base class there) must be analysed again too
    base = str((TREE / EDITED_FILE).resolve())
    dependants = sum(1 for entry in entries.values() if len(entry) > 5 and any(p == base for p, *_ in entry[5]))
    analysed = len(entries) - len(served)
    ok = edited not in served and analysed == 1 + dependants
    print(
        f"  {'PASS' if ok else 'FAIL'}  after editing one file, {analysed} of {len(entries)} files analysed "
        f"(the edited file {'re-analysed' if edited not in served else 'served from the cache'}, "
        f"{dependants} files that read it)"
    )
    return ok


# ---------------------------------------------------------------------------- report


def machine() -> str:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cores} cores ({model}), Python {python}, load average {load}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=None, help="rounds of timings (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="one round, a smaller TorchFix sample, 1/10 equivalence")
    parser.add_argument(
        "--sample-every", type=int, default=None, help="TorchFix checks every N-th file (default 50; 200 with --quick)"
    )
    parser.add_argument(
        "--code", metavar="REV", help="benchmark this git revision (e.g. HEAD) instead of the imported package"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    sample_every = args.sample_every or (200 if args.quick else 50)
    equivalence_every = 10 if args.quick else 1

    code = use_code_at(args.code) if args.code else "the imported package"
    package = prepare_tree()
    scripts = prepare_venv()
    files = sorted(p.relative_to(TREE).as_posix() for p in package.rglob("*.py"))
    sample = files[::sample_every]
    lines = sum(len(p.read_bytes().splitlines()) for p in package.rglob("*.py"))
    megabytes = sum(p.stat().st_size for p in package.rglob("*.py")) / 1e6
    versions = {**tool_versions(scripts), "paraminit code": code}
    print(f"machine: {machine()}")
    version = TRANSFORMERS.split("==")[1]
    print(f"tree: {PACKAGE} {version}: {len(files)} files, {lines / 1e6:.2f} M lines, {megabytes:.0f} MB")
    print("tools: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    print(f"{repeat} round(s); TorchFix on every {sample_every}th file ({len(sample)} files)\n", flush=True)

    edited = TREE / EDITED_FILE
    pristine = edited.read_bytes()
    reports = WORK / "reports"
    reports.mkdir(exist_ok=True)
    # --unsafe-fixes: show every fix, as the Python API (the equivalence check) returns them
    paraminit = [sys.executable, "-m", "ruff_like_rules", "check", "--unsafe-fixes", "--output-format", "json"]

    def clear_cache(_: int) -> None:
        shutil.rmtree(TREE / ".paraminit_cache", ignore_errors=True)

    def edit(round_number: int) -> None:
        edited.write_bytes(pristine + f"\n# edited by bench/lint.py, round {round_number}\n".encode())

    cold = Side("paraminit check, cold (empty cache)", [*paraminit, PACKAGE], clear_cache, reports / "cold.json")
    warm = Side("paraminit check, warm (nothing changed)", [*paraminit, PACKAGE], None, reports / "warm.json")
    edit_one = Side("paraminit check, one file edited", [*paraminit, PACKAGE], edit, reports / "edited.json")
    ruff_all = Side(
        "ruff check --no-cache --select ALL", [scripts / "ruff", "check", "--no-cache", "--select", "ALL", PACKAGE]
    )
    ruff_default = Side("ruff check --no-cache (default rules)", [scripts / "ruff", "check", "--no-cache", PACKAGE])
    torchfix = Side(
        f"torchfix --select ALL, {len(sample)}-file sample", [scripts / "torchfix", "--select", "ALL", *sample]
    )
    pin_sample = Side(f"paraminit check --no-cache, {len(sample)}-file sample", [*paraminit, "--no-cache", *sample])
    rounds = [cold, ruff_all, warm, edit_one, ruff_default, torchfix, pin_sample]
    try:
        for number in range(repeat):
            # every other round backwards: a drift in the machine's load hits both sides of a pair
            for side in rounds if number % 2 == 0 else rounds[::-1]:
                measurement = side.run(number)
                print(f"  round {number + 1}: {side.label:<48} {measurement.seconds:8.2f} s", flush=True)
            edited.write_bytes(pristine)

        print("\nfindings:")
        same = compare("warm run = cold run", findings_by_file(cold.stdout), findings_by_file(warm.stdout))  # type: ignore[arg-type]
        edited_report = findings_by_file(edit_one.stdout)  # type: ignore[arg-type]
        same &= compare("one file edited = cold run", findings_by_file(cold.stdout), edited_report)  # type: ignore[arg-type]
        measure([*paraminit, PACKAGE], TREE)  # the cache holds the pristine file again
        same &= only_edited_file_reanalysed([*paraminit, PACKAGE], edit, reports / "sentinel.json")
        edited.write_bytes(pristine)
        which = "every" if equivalence_every == 1 else f"every {equivalence_every}th"
        print(f"  running the analysis with prefilter=False on {which} file (slow) ...", flush=True)
        started = time.perf_counter()
        unfiltered = unfiltered_findings(package, equivalence_every)
        unfiltered_seconds = time.perf_counter() - started
        checked = {str(TREE / name) for name in files[::equivalence_every]}
        prefiltered = {name: found for name, found in findings_by_file(cold.stdout).items() if name in checked}  # type: ignore[arg-type]
        same &= compare(
            f"cold run = prefilter=False ({unfiltered_seconds:.0f} s on 2 processes)", unfiltered, prefiltered
        )
    finally:
        edited.write_bytes(pristine)

    per_file_torchfix = torchfix.median() / len(sample)
    per_file_paraminit = cold.median() / len(files)
    peak_pss = max(m.peak_pss_mb for m in cold.runs)
    peak_rss = max(m.peak_rss_mb for m in cold.runs)
    cpu_share = statistics.median(m.cpu_seconds / m.seconds for m in cold.runs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    targets = [
        Target.ratio("cold / ruff --select ALL", cold, ruff_all, 1),
        Target.ratio("warm / ruff default", warm, ruff_default, 1),
        Target.ratio("edit one file / ruff default", edit_one, ruff_default, 1),
        Target.ratio(
            "TorchFix / paraminit, per file", cold, torchfix, -TORCHFIX_TARGET_RATIO, (len(files), len(sample))
        ),
        Target("cold peak memory (RSS sum, MB)", peak_rss, f"<= {MEMORY_TARGET_MB}", peak_rss <= MEMORY_TARGET_MB),
        Target("findings unchanged by speed-ups", float(same), "= 1", same),
    ]
    print("\nmedians:")
    for side in rounds:
        runs = ", ".join(f"{m.seconds:.2f}" for m in side.runs)
        memory = max(m.peak_pss_mb for m in side.runs)
        print(f"  {side.label:<48} {side.median():8.2f} s   ({runs}; peak PSS {memory:.0f} MB)")
    print(
        f"  per file: TorchFix {per_file_torchfix * 1000:.0f} ms, paraminit cold {per_file_paraminit * 1000:.1f} ms; "
        f"same sample: {torchfix.median() / pin_sample.median():.0f}x"
    )
    largest = max(m.largest_process_mb for m in cold.runs)
    print(
        f"  cold run: {cpu_share:.2f} CPU-seconds per second on {cores} cores; peak memory of the process tree: "
        f"RSS summed {peak_rss:.0f} MB, PSS {peak_pss:.0f} MB; largest process {largest:.0f} MB"
    )
    print("\ntargets:")
    for target in targets:
        print(target.line())
    if args.json:
        figures = {
            "machine": machine(),
            "files": len(files),
            "lines": lines,
            "versions": versions,
            "medians": {side.label: side.median() for side in rounds},
            "runs": {side.label: [dataclasses.asdict(m) for m in side.runs] for side in rounds},
            "targets": [dataclasses.asdict(target) for target in targets],
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if all(target.passed for target in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
