"""Show that two revisions of paraminit report the very same findings on real code.

    python bench/equivalence.py BEFORE_REF              # BEFORE_REF against the working tree
    python bench/equivalence.py BEFORE_REF --after REF  # two committed revisions
    python bench/equivalence.py BEFORE_REF --quick      # the corpus and torch/nn only

A behaviour-preserving change (a refactor, a speed-up) must not move a single finding. Each
side runs the ``paraminit check`` command line of its own revision (``python -m
ruff_like_rules`` with that revision first on ``PYTHONPATH``, checked out with ``git
worktree`` into ``bench/_work/``) over the same trees: the installed ``torch`` package, the
``transformers`` source from the package index (the same pinned wheel as ``bench/lint.py``)
and the test corpus. Every rule runs, preview ones included, with every fix in the JSON
output, so what is compared is each finding's code, position, message and fix edits. The
command line is the one interface both sides share however the package is laid out inside.

Prints the counts per tree and code, and every finding that differs; exits 1 when any does.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from lint import WORK, prepare_tree

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "static" / "corpus"
CHECK = ("check", "--output-format", "json", "--no-cache", "--select", "ALL", "--preview", "--exit-zero")


def torch_tree() -> Path:
    spec = importlib.util.find_spec("torch")  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("torch is not installed here: pip install torch==2.13.0")
    return Path(next(iter(spec.submodule_search_locations)))


def checkout(ref: str) -> Path:
    """A detached worktree of ``ref`` under bench/_work/ (made once per commit)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    where = WORK / "revisions" / commit
    if not (where / "ruff_like_rules").is_dir():
        where.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(where), commit], cwd=ROOT, check=True, capture_output=True
        )
    return where


def findings(code: Path, tree: Path, settings: Path) -> dict[tuple, int]:
    """Every finding of ``paraminit check`` from the source at ``code`` over ``tree``, as a
    multiset of (file relative to the tree, code, start, end, message, fix)."""
    environment = {**os.environ, "PYTHONPATH": str(code)}  # with -P: not the working directory either
    probe = subprocess.run(
        [sys.executable, "-P", "-c", "import ruff_like_rules; print(ruff_like_rules.__file__)"],
        env=environment, check=True, capture_output=True, text=True,
    ).stdout.strip()
    if not Path(probe).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"{code}: imported {probe} instead: the revision under test was not the one run")
    run = subprocess.run(
        [sys.executable, "-P", "-m", "ruff_like_rules", *CHECK, "--config", str(settings), str(tree)],
        env=environment, capture_output=True, text=True, cwd=tree,
    )
    if run.returncode != 0:
        raise SystemExit(f"paraminit at {code} failed on {tree} (exit {run.returncode}):\n{run.stderr}")
    counted: Counter[tuple] = Counter()
    for item in json.loads(run.stdout):
        fix = item["fix"]
        fix_key = None
        if fix is not None:
            edits = tuple(
                (e["location"]["row"], e["location"]["column"], e["end_location"]["row"], e["end_location"]["column"],
                 e["content"])
                for e in fix["edits"]
            )
            fix_key = (fix["applicability"], fix["message"], edits)
        location, end = item["location"], item["end_location"]
        counted[(
            os.path.relpath(item["filename"], tree), item["code"], (location["row"], location["column"]),
            (end["row"], end["column"]), item["message"], fix_key,
        )] += 1
    return dict(counted)


def describe(finding: tuple) -> str:
    path, code, start, _end, message, fix = finding
    return f"{path}:{start[0]}:{start[1]}: {code} {message}" + (f" [fix: {fix[1]}]" if fix else "")


def compare(name: str, tree: Path, before: Path, after: Path, settings: Path) -> int:
    old, new = findings(before, tree, settings), findings(after, tree, settings)
    codes = Counter()
    for finding, count in old.items():
        codes[finding[1]] += count
    files = len({finding[0] for finding in old})
    summary = ", ".join(f"{code} {count}" for code, count in sorted(codes.items())) or "none"
    differing = sorted(set(old) ^ set(new) | {f for f in set(old) & set(new) if old[f] != new[f]})
    print(f"{name}: {sum(old.values())} findings in {files} files ({summary}): "
          + ("identical" if not differing else f"{len(differing)} differ"))
    for finding in differing:
        print(f"  before {old.get(finding, 0)}, after {new.get(finding, 0)}: {describe(finding)}")
    return len(differing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the revision to compare against (a commit, branch or tag)")
    parser.add_argument("--after", help="a revision instead of the working tree")
    parser.add_argument("--quick", action="store_true", help="the corpus and torch/nn only")
    args = parser.parse_args()
    before = checkout(args.before)
    after = checkout(args.after) if args.after else ROOT
    torch = torch_tree()
    trees = [("corpus", CORPUS), ("torch/nn" if args.quick else "torch", torch / "nn" if args.quick else torch)]
    if not args.quick:
        trees.append(("transformers", prepare_tree()))
    print(f"before: {args.before} ({before}); after: {args.after or 'working tree'} ({after})")
    with tempfile.TemporaryDirectory() as scratch:
        settings = Path(scratch) / "paraminit.toml"
        settings.write_text("", encoding="utf-8")  # the defaults, wherever the trees sit
        differing = sum(compare(name, tree, before, after, settings) for name, tree in trees)
    print("IDENTICAL" if not differing else f"DIFFERENT: {differing} findings")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
