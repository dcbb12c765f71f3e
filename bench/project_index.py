"""What the project-wide class index costs ``paraminit check``: a revision without it against
the working tree, on the installed ``torch`` package and the ``transformers`` tree.

    python bench/project_index.py BEFORE_REF            # e.g. main
    python bench/project_index.py BEFORE_REF --rounds 5

Each side runs its own revision's command line (``python -m ruff_like_rules check --no-cache
--exit-zero``, every stable rule) cold over the same tree; the sides alternate round after
round, so load from other work on the machine falls on both, and the figure is the ratio of
the medians (with best-of-N and CPU-time ratios, which load disturbs less). Target: the
index adds at most 10% (``--target``). Exit 1 when a ratio misses it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from equivalence import ROOT, checkout, torch_tree  # noqa: E402
from lint import measure, prepare_tree  # noqa: E402

CHECK = ("check", "--no-cache", "--exit-zero", "--quiet", "--output-format", "concise")


def command(code: Path, tree: Path) -> tuple[list[str | Path], dict[str, str]]:
    return [sys.executable, "-P", "-m", "ruff_like_rules", *CHECK, tree], {**os.environ, "PYTHONPATH": str(code)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the revision to compare against (without the index)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--target", type=float, default=1.10)
    args = parser.parse_args(argv)
    before = checkout(args.before)
    trees = {"torch": torch_tree(), "transformers": prepare_tree()}
    failed = False
    for name, tree in trees.items():
        runs: dict[str, list] = {"before": [], "after": []}
        for _ in range(args.rounds):
            for side, code in (("before", before), ("after", ROOT)):
                cmd, env = command(code, tree)
                old = os.environ.copy()
                os.environ.update(env)
                try:
                    runs[side].append(measure(cmd, tree.parent))
                finally:
                    os.environ.clear()
                    os.environ.update(old)
        ratios = {
            "median": statistics.median(m.seconds for m in runs["after"])
            / statistics.median(m.seconds for m in runs["before"]),
            "best": min(m.seconds for m in runs["after"]) / min(m.seconds for m in runs["before"]),
            "cpu": statistics.median(m.cpu_seconds for m in runs["after"])
            / statistics.median(m.cpu_seconds for m in runs["before"]),
        }
        seconds = {side: statistics.median(m.seconds for m in found) for side, found in runs.items()}
        passed = ratios["median"] <= args.target
        failed |= not passed
        print(
            f"{'PASS' if passed else 'FAIL'}  {name:<13} before {seconds['before']:6.1f} s  after "
            f"{seconds['after']:6.1f} s  ratio {ratios['median']:.2f} (best-of-N {ratios['best']:.2f}, "
            f"CPU time {ratios['cpu']:.2f}; target <= {args.target:g})",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
