"""Runtime checker cost against same-run baselines (run by hand: ``python bench/runtime.py``).

1. statistics: ``check_module`` over a ~1 B-parameter fp32 model vs one ``p.sum()`` over every parameter;
2. deferred: ``build_deferred_and_check`` vs a plain meta build + ``to_empty()`` + ``reset_parameters()``;
3. suite: ``pytest --check-param-init`` vs plain ``pytest`` on 200 tests that each build and train a small model.

Each side runs ``--repeat`` times; medians and ratios are printed.  Needs ~10 GiB of free memory
(the 1 B model is 4 GB; the deferred side builds a second one).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_paraminit import build_deferred_and_check, check_module  # noqa: E402
from pytest_paraminit.deferred import reset_every_submodule  # noqa: E402


def big_model(width: int, depth: int) -> nn.Module:
    return nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(depth)])


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_statistics(width: int, depth: int, repeat: int) -> None:
    with torch.device("meta"):
        model = big_model(width, depth)
    model.to_empty(device="cpu")
    reset_every_submodule(model)
    params = list(model.parameters())
    count = sum(p.numel() for p in params)
    baseline = median_seconds(lambda: [p.sum() for p in params], repeat)
    checked = median_seconds(lambda: check_module(model), repeat)
    print(f"statistics  {count / 1e9:.2f} B params  sum pass {baseline:.2f} s  check {checked:.2f} s  "
          f"ratio {checked / baseline:.2f}x (target <= 3x)")


def bench_deferred(width: int, depth: int, repeat: int) -> None:
    def plain():
        with torch.device("meta"):
            model = big_model(width, depth)
        model.to_empty(device="cpu")
        reset_every_submodule(model)

    baseline = median_seconds(plain, repeat)
    checked = median_seconds(lambda: build_deferred_and_check(big_model, width, depth), repeat)
    print(f"deferred    plain {baseline:.2f} s  checked {checked:.2f} s  ratio {checked / baseline:.2f}x (target <= 2x)")


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
    """Plain and checked runs alternate, so drift in machine load hits both sides alike."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "test_suite.py")
        path.write_text(textwrap.dedent(SUITE))
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]

        def run(*extra):
            subprocess.run(base + list(extra), check=True, capture_output=True, cwd=directory)

        plain, checked = [], []
        for _ in range(repeat):
            plain.append(median_seconds(run, 1))
            checked.append(median_seconds(lambda: run("--check-param-init"), 1))
    baseline, flagged = statistics.median(plain), statistics.median(checked)
    print(f"suite       200 tests  plain {baseline:.2f} s  --check-param-init {flagged:.2f} s  "
          f"overhead {100 * (flagged / baseline - 1):.1f} % (target <= 10 %)  "
          f"[plain {' '.join(f'{t:.2f}' for t in plain)} | checked {' '.join(f'{t:.2f}' for t in checked)}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--width", type=int, default=8192)
    parser.add_argument("--depth", type=int, default=15, help="Linear(width, width) layers; 15 x 8192^2 = 1.007 B")
    parser.add_argument("--only", choices=["statistics", "deferred", "suite"])
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.only in (None, "statistics"):
        bench_statistics(args.width, args.depth, args.repeat)
    if args.only in (None, "deferred"):
        bench_deferred(args.width, args.depth, args.repeat)
    if args.only in (None, "suite"):
        bench_suite(args.repeat)


if __name__ == "__main__":
    main()
