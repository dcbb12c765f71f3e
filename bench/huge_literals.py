"""Huge data literals beside a finding: check time and memory must grow near-linearly.

Each size runs ``paraminit check --no-cache`` in a fresh process on a file holding one
uninitialized parameter and a module-level list of N numbers on one line, and the same
list without the parameter (no trigger: the file is never parsed). Prints seconds, peak
RSS, and the time per MB relative to the smallest size; PASS when the largest size costs
at most ``--max-ratio`` times the smallest one per MB (linear: 1.0).

    python bench/huge_literals.py                  # 10k .. 640k elements (about 4.8 MB)
    python bench/huge_literals.py --sizes 10000 2500000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "_work" / "huge_literals"
MODULE = """\
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3, 4))


"""


def write(size: int, trigger: bool) -> Path:
    path = WORK / f"{'trigger' if trigger else 'plain'}_{size}.py"
    if not path.exists():
        data = "TABLE = [" + ", ".join(f"{i * 0.5}" for i in range(size)) + "]\n"
        path.write_text((MODULE if trigger else "") + data, encoding="utf-8")
    return path


def measure(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one check of ``path`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "check", "--no-cache", "-q", str(path)], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed on {path}: {done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000, 160_000, 640_000])
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    baseline = None
    print(f"{'elements':>10} {'MB':>6} {'trigger s':>10} {'plain s':>8} {'RSS MB':>7} {'s/MB vs smallest':>17}")
    for size in sorted(args.sizes):
        trigger, plain = write(size, True), write(size, False)
        megabytes = trigger.stat().st_size / 1e6
        seconds, rss = measure(trigger)
        plain_seconds, _ = measure(plain)
        per_mb = (seconds - plain_seconds) / megabytes  # what the analysis adds over startup and reading
        baseline = baseline or per_mb
        print(f"{size:>10} {megabytes:>6.2f} {seconds:>10.2f} {plain_seconds:>8.2f} {rss:>7.0f} {per_mb / baseline:>17.2f}")
    ratio = per_mb / baseline
    verdict = "PASS" if ratio <= args.max_ratio else "FAIL"
    print(f"{verdict}: the largest size costs {ratio:.2f}x the smallest per MB (target <= {args.max_ratio})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
