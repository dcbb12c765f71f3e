"""Runtime checker cost against same-run baselines (run by hand: ``python bench/runtime.py``).

1. statistics: ``check_module`` over a ~1 B-parameter fp32 model vs one ``p.sum()`` over every parameter;
2. deferred: ``build_deferred_and_check`` vs a plain meta build + ``to_empty()`` + ``reset_parameters()``;
3. suite: ``pytest --check-param-init`` vs plain ``pytest`` on 200 tests that each build and train a small model;
4. scale (issue 19 item 12): ``build_and_check`` vs the plain build of a module of 100 k tiny parameters
   (time), and of one 200 M-element parameter written half way (peak memory, each build in a fresh process);
5. distributed (issue 17): ``check_module`` of an FSDP2-sharded and of a replicated (DDP) model under
   ``torchrun --nproc_per_node 2`` (gloo, CPU) vs one ``all_reduce`` of the same bytes on the same ranks,
   and vs the single-process check of the same model unsharded;
6. fixed (issue 13): ``build_and_check(nn.Linear, 4, 4)`` minus its plain build, first call in a fresh process
   and later calls, wall and the building thread's CPU time.

Each comparison runs baseline and checked side in turn, ``--repeat`` times, so drift in machine load
hits both alike, and prints medians, every run, and the ratio of medians.  Wall time is the target;
CPU time (user + system, this process and its children) is printed beside it because on a shared
virtual machine it varies less.  Needs ~10 GiB of free memory (the 1 B model is 4 GB; the deferred
comparison builds one per run).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT  # the paraminit checkout measured (``--code`` picks a committed revision)


def _code_environment() -> dict[str, str]:
    """The environment of child processes: CODE's paraminit first on the path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(CODE), os.environ.get("PYTHONPATH")]))}


def big_model(width: int, depth: int) -> nn.Module:
    return nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(depth)])


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    cpu, start = _cpu_seconds(), time.perf_counter()
    action()
    return time.perf_counter() - start, _cpu_seconds() - cpu


def compare(name: str, baseline: Callable[[], object], checked: Callable[[], object], repeat: int,
            target: str, *, as_overhead: bool = False) -> float:
    """Run both sides in turn ``repeat`` times; print wall and CPU medians and their ratio.

    Returns the baseline's median wall time."""
    runs = [(_timed(baseline), _timed(checked)) for _ in range(repeat)]
    for label, index in (("wall", 0), ("cpu ", 1)):
        base = statistics.median(pair[0][index] for pair in runs)
        check = statistics.median(pair[1][index] for pair in runs)
        ratio = f"overhead {100 * (check / base - 1):.1f} %" if as_overhead else f"ratio {check / base:.2f}x"
        every = " ".join(f"{pair[0][index]:.2f}/{pair[1][index]:.2f}" for pair in runs)
        print(f"{name:<11} {label}  baseline {base:.2f} s  checked {check:.2f} s  {ratio} (target {target})"
              f"  [runs baseline/checked: {every}]", flush=True)
    return statistics.median(pair[0][0] for pair in runs)


def bench_statistics(width: int, depth: int, repeat: int) -> None:
    from pytest_paraminit import check_module
    from pytest_paraminit.deferred import reset_every_submodule

    with torch.device("meta"):
        model = big_model(width, depth)
    model.to_empty(device="cpu")
    reset_every_submodule(model)
    params = list(model.parameters())
    print(f"statistics: {sum(p.numel() for p in params) / 1e9:.2f} B fp32 parameters; "
          "baseline p.sum() over every parameter, checked check_module(model)")
    compare("statistics", lambda: [p.sum() for p in params], lambda: check_module(model), repeat, "<= 3x")
    before, peak = _peak_rss_during(lambda: check_module(model))
    print(f"statistics  memory: resident {before / 2**20:.0f} MiB before the check, "
          f"{(peak - before) / 2**20:.1f} MiB more at its peak (sampled every 2 ms)")


def _peak_rss_during(action: Callable[[], object]) -> tuple[int, int]:
    """Resident bytes before ``action`` and the most seen while it ran."""
    page = os.sysconf("SC_PAGE_SIZE")

    def resident() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page

    gc.collect()
    before = peak = resident()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.002):
            peak = max(peak, resident())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    return before, max(peak, resident())


def bench_deferred(width: int, depth: int, repeat: int) -> None:
    from pytest_paraminit import build_deferred_and_check
    from pytest_paraminit.deferred import reset_every_submodule

    def plain():
        with torch.device("meta"):
            model = big_model(width, depth)
        model.to_empty(device="cpu")
        reset_every_submodule(model)

    print("deferred: baseline meta build + to_empty() + reset_parameters(), checked build_deferred_and_check")
    compare("deferred", plain, lambda: build_deferred_and_check(big_model, width, depth), repeat, "<= 2x")


SUITE = '''
import pytest, torch
from torch import nn

@pytest.mark.parametrize("seed", range(200))
def test_train(seed):
    torch.manual_seed(seed)
    width = 16 + seed % 48
    model = nn.Sequential(nn.Linear(32, width), nn.ReLU(), nn.LayerNorm(width), nn.Linear(width, 4))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(64, 32), torch.randn(64, 4)
    for _ in range(20):
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
'''


def bench_suite(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "test_suite.py")
        path.write_text(textwrap.dedent(SUITE))
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
        reported = []  # the plugin's own "time spent checking" of each checked run

        def plain() -> None:
            subprocess.run(base, check=True, capture_output=True, cwd=directory, env=_code_environment())

        def checked() -> None:
            done = subprocess.run(base + ["--check-param-init"], check=True, capture_output=True, text=True,
                                  cwd=directory, env=_code_environment())
            reported.append(float(re.search(r"time spent checking: ([\d.]+) s", done.stdout).group(1)))

        print("suite: 200 tests that build and train a small model; baseline pytest, checked pytest --check-param-init")
        baseline = compare("suite", plain, checked, repeat, "<= 10 %", as_overhead=True)
    spent = statistics.median(reported)
    print(f"suite       the plugin's own summary: {spent:.2f} s spent checking (median), "
          f"{100 * spent / baseline:.1f} % of the baseline's median wall time; the rest of the overhead is "
          "watching constructors and noise")


class ManyTiny(nn.Module):
    """100 k four-element parameters: the per-parameter cost of the checker, undiluted."""

    def __init__(self, count: int = 100_000):
        super().__init__()
        self.values = nn.ParameterList(nn.Parameter(torch.randn(4) * 0.5) for _ in range(count))


HALF_WRITTEN = textwrap.dedent('''
    import resource, sys, time
    import torch
    from torch import nn
    from pytest_paraminit import build_and_check

    class HalfWritten(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(20_000, 10_000))  # 200 M fp32 elements, 800 MB
            nn.init.normal_(self.weight[:, :5_001], std=0.01)  # rows cut at an odd width

    def resident():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096

    nn.Linear(4, 4)
    build_and_check(nn.Linear, 4, 4) if sys.argv[1] == "checked" else None
    before = resident()
    start = time.perf_counter()
    module = HalfWritten() if sys.argv[1] == "plain" else build_and_check(HalfWritten)[0]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(before, peak, seconds)
''')


def bench_scale(repeat: int) -> None:
    from pytest_paraminit import build_and_check

    print("scale: 100 k parameters of 4 elements; baseline the plain build, checked build_and_check")
    compare("many tiny", ManyTiny, lambda: build_and_check(ManyTiny), repeat, "<= 2x")
    print("scale: one 20,000 x 10,000 fp32 parameter (800 MB) written half way, each build in a fresh process")
    peaks: dict[str, list[tuple[int, float]]] = {"plain": [], "checked": []}
    for _ in range(repeat):
        for side in ("plain", "checked"):
            run = subprocess.run([sys.executable, "-c", HALF_WRITTEN, side], capture_output=True, text=True,
                                 check=True, env=_code_environment())
            before, peak, seconds = run.stdout.split()
            peaks[side].append((int(peak) - int(before), float(seconds)))
    plain = statistics.median(extra for extra, _ in peaks["plain"])
    checked = statistics.median(extra for extra, _ in peaks["checked"])
    every = " ".join(f"{a / 2**20:.0f}/{b / 2**20:.0f}" for (a, _), (b, _) in zip(peaks["plain"], peaks["checked"]))
    print(f"half written memory  peak above the process before the build: plain {plain / 2**20:.0f} MiB, "
          f"checked {checked / 2**20:.0f} MiB, extra {(checked - plain) / 2**20:.0f} MiB = "
          f"{(checked - plain) / 800e6:.3f} of the tensor (target <= 1/8)  [runs MiB plain/checked: {every}]")
    times = " ".join(f"{a:.2f}/{b:.2f}" for (_, a), (_, b) in zip(peaks["plain"], peaks["checked"]))
    print(f"half written wall  baseline {statistics.median(t for _, t in peaks['plain']):.2f} s  checked "
          f"{statistics.median(t for _, t in peaks['checked']):.2f} s  [runs baseline/checked: {times}]", flush=True)


FIXED_COST = textwrap.dedent('''
    import json, statistics, time
    import torch
    from torch import nn
    from pytest_paraminit import build_and_check

    def timed(action):
        cpu, wall = time.thread_time(), time.perf_counter()
        action()
        return time.perf_counter() - wall, time.thread_time() - cpu

    def factory():
        return nn.Linear(4, 4)

    first_plain = timed(factory)
    first_checked = timed(lambda: build_and_check(factory))  # the first call in this process
    plain, checked = [], []
    for index in range(41):
        for side in (("plain", "checked") if index % 2 else ("checked", "plain")):
            (plain if side == "plain" else checked).append(timed(factory if side == "plain" else
                                                                 lambda: build_and_check(factory)))
    print(json.dumps({"first": [c - p for c, p in zip(first_checked, first_plain)],
                      "later": [statistics.median(c[i] for c in checked) - statistics.median(p[i] for p in plain)
                                for i in (0, 1)]}))
''')


def bench_fixed(repeat: int) -> None:
    """``build_and_check(nn.Linear, 4, 4)`` minus the plain build: the first call in a fresh process, and later."""
    import json

    runs = [json.loads(subprocess.run([sys.executable, "-c", FIXED_COST], capture_output=True, text=True, check=True,
                                      env=_code_environment()).stdout) for _ in range(repeat)]
    for key, label in (("first", "first call in a process"), ("later", "later calls (median of 41 pairs)")):
        wall = statistics.median(run[key][0] for run in runs) * 1e3
        cpu = statistics.median(run[key][1] for run in runs) * 1e3
        every = " ".join(f"{run[key][0] * 1e3:.1f}/{run[key][1] * 1e3:.1f}" for run in runs)
        print(f"fixed cost, {label}: wall {wall:.2f} ms, CPU of the building thread {cpu:.2f} ms (target <= 5 ms)"
              f"  [runs wall/cpu ms: {every}]", flush=True)


_DISTRIBUTED_WORKER = """
import json, statistics, sys, time
import torch, torch.distributed as dist
from torch import nn
from torch.distributed.fsdp import fully_shard
from torch.nn.parallel import DistributedDataParallel
from pytest_paraminit import check_module

width, depth, repeat = (int(value) for value in sys.argv[1:4])
dist.init_process_group("gloo")
def build():
    return nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(depth)])
with torch.device("meta"):
    sharded = build()
for layer in sharded:
    fully_shard(layer)
sharded.to_empty(device="cpu")
for layer in sharded:
    layer.reset_parameters()
torch.manual_seed(0)
replicated = DistributedDataParallel(build())
def timed(action):
    runs = []
    for _ in range(repeat):
        dist.barrier()
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return runs
results = {}
for name, model in (("fsdp2", sharded), ("ddp", replicated)):
    flat = torch.cat([p.to_local().reshape(-1) if hasattr(p, "to_local") else p.detach().reshape(-1)
                      for p in model.parameters()])
    results[name] = {"bytes": flat.numel() * 4, "check": timed(lambda: check_module(model)),
                     "all_reduce": timed(lambda: dist.all_reduce(flat.clone()))}
if dist.get_rank() == 0:
    print("RESULT " + json.dumps(results))
dist.destroy_process_group()
"""


def bench_distributed(width: int, depth: int, repeat: int) -> None:
    """``check_module`` on 2 gloo ranks vs one all_reduce of each rank's parameter bytes and vs one process."""
    with tempfile.TemporaryDirectory() as scratch:
        worker = Path(scratch) / "worker.py"
        worker.write_text(_DISTRIBUTED_WORKER, encoding="utf-8")
        torchrun = Path(sys.executable).with_name("torchrun")
        run = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2", str(worker), str(width),
                              str(depth), str(repeat)], capture_output=True, text=True, env=_code_environment(),
                             timeout=1800)
    line = next((line for line in run.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"distributed worker failed:\n{run.stderr[-3000:]}")
    import json

    from pytest_paraminit import check_module

    single = big_model(width, depth)
    alone = [_timed(lambda: check_module(single))[0] for _ in range(repeat)]
    print(f"distributed: {depth} x Linear({width}, {width}), 2 ranks (gloo, CPU); single process: "
          f"median {statistics.median(alone):.3f} s  [runs: {' '.join(f'{t:.3f}' for t in alone)}]")
    for name, found in json.loads(line.removeprefix("RESULT ")).items():
        check, reduce = statistics.median(found["check"]), statistics.median(found["all_reduce"])
        print(f"  {name:5}  per rank {found['bytes'] / 2**20:.0f} MiB  check {check:.3f} s  all_reduce of the same "
              f"bytes {reduce:.3f} s  ratio {check / reduce:.2f} (aim <= 2)  vs single process "
              f"{check / statistics.median(alone):.2f}  [check runs: {' '.join(f'{t:.3f}' for t in found['check'])}; "
              f"all_reduce runs: {' '.join(f'{t:.3f}' for t in found['all_reduce'])}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--width", type=int, default=8192)
    parser.add_argument("--depth", type=int, default=15, help="Linear(width, width) layers; 15 x 8192^2 = 1.007 B")
    parser.add_argument("--only", choices=["statistics", "deferred", "suite", "scale", "distributed", "fixed"])
    parser.add_argument("--code", metavar="REV", help="measure paraminit at this git revision (a worktree under "
                        "bench/_work/revisions) instead of this checkout")
    args = parser.parse_args()
    global CODE
    if args.code:
        from equivalence import checkout

        CODE = checkout(args.code)
    sys.path.insert(0, str(CODE))
    print(f"paraminit from {CODE}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.only in (None, "statistics"):
        bench_statistics(args.width, args.depth, args.repeat)
    if args.only in (None, "deferred"):
        bench_deferred(args.width, args.depth, args.repeat)
    if args.only in (None, "suite"):
        bench_suite(args.repeat)
    if args.only in (None, "scale"):
        bench_scale(args.repeat)
    if args.only in (None, "fixed"):
        bench_fixed(args.repeat)
    if args.only in (None, "distributed"):
        bench_distributed(min(args.width, 2048), min(args.depth, 8), args.repeat)


if __name__ == "__main__":
    main()
