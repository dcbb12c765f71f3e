"""What a change costs ``paraminit check``: CPU time of two revisions on the same trees, in one run.

    python bench/fast_path_cost.py BEFORE_REF              # BEFORE_REF against the working tree
    python bench/fast_path_cost.py BEFORE_REF --rounds 7   # more rounds on a busy machine

A prefilter change trades findings the fast path must keep for text it must parse, so each
such change is measured here: each round runs ``paraminit check --no-cache`` (default rules,
as users run it) of both revisions over the ``transformers`` source (the pinned wheel of
``bench/lint.py``) and the installed ``torch`` package, the two in turns so load from other
work on the machine falls on both. The figure is the CPU time (user + system, of the command
and its workers) rather than wall time: on a shared machine it moves far less. Reported per
tree: the median of each side and their ratio (after / before).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from equivalence import checkout, torch_tree
from lint import prepare_tree

ROOT = Path(__file__).resolve().parent.parent
CHECK = ("check", "--no-cache", "--exit-zero", "--output-format", "json")


def cpu_seconds(code: Path, tree: Path) -> tuple[float, float]:
    """CPU and wall seconds of one ``paraminit check`` from the source at ``code`` over ``tree``."""
    environment = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-P", "-m", "ruff_like_rules", *CHECK, str(tree)],
        env=environment, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"paraminit at {code} failed on {tree} (exit {run.returncode}):\n{run.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the revision to compare against (a commit, branch or tag)")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    sides = {"before": checkout(arguments.before), "after": ROOT}
    trees = {"transformers": prepare_tree(), "torch": torch_tree()}
    cpu: dict[tuple[str, str], list[float]] = {(t, s): [] for t in trees for s in sides}
    wall: dict[tuple[str, str], list[float]] = {(t, s): [] for t in trees for s in sides}
    for number in range(arguments.rounds):
        order = list(sides) if number % 2 == 0 else list(reversed(sides))  # neither side always goes first
        for tree_name, tree in trees.items():
            for side in order:
                seconds, elapsed = cpu_seconds(sides[side], tree)
                cpu[(tree_name, side)].append(seconds)
                wall[(tree_name, side)].append(elapsed)
        print(f"round {number + 1}/{arguments.rounds} done", flush=True)
    for tree_name in trees:
        old, new = (statistics.median(cpu[(tree_name, side)]) for side in sides)
        old_wall, new_wall = (statistics.median(wall[(tree_name, side)]) for side in sides)
        print(
            f"{tree_name}: CPU median before {old:.2f} s, after {new:.2f} s, ratio {new / old:.3f}"
            f"  (wall {old_wall:.1f} s / {new_wall:.1f} s, {arguments.rounds} rounds)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
