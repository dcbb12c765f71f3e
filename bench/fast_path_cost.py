"""What a prefilter change costs: how much text the fast path parses, before and after, in one run.

    python bench/fast_path_cost.py BEFORE_REF              # BEFORE_REF against the working tree
    python bench/fast_path_cost.py BEFORE_REF --after REF  # two committed revisions
    python bench/fast_path_cost.py BEFORE_REF --rounds 5   # more timing rounds on a busy machine

The fast path's time is libcst parsing the chunks the prefilter keeps; a change that keeps
more makes it parse more. On a machine shared by several people wall time moves by tens of
percent from one run to the next, so the main figure here is deterministic: the non-blank
lines and characters of all chunks handed to the parser, per tree (the ``transformers``
source of ``bench/lint.py`` and the installed ``torch`` package), with every rule selected.
Beside it, the CPU time of the prefilter itself (``select_chunks`` over every file: a
regex scan, so the cost of the text it reads), median of alternating rounds. Files whose cut
changed are counted, and the ten that grew most are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from equivalence import checkout, torch_tree
from lint import prepare_tree

ROOT = Path(__file__).resolve().parent.parent

# Run inside each revision: its own ruff_like_rules is first on the path.
_PROBE = r"""
import hashlib, json, sys, time
from pathlib import Path
from ruff_like_rules.engine.prefilter import select_chunks
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.rules import ALL_RULES
selection = AnalysisSettings(rules=ALL_RULES).selection()
texts = {}
for path in sorted(Path(sys.argv[1]).rglob("*.py")):
    try:
        texts[str(path)] = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pass
started = time.process_time()
cuts = {name: select_chunks(text, selection) for name, text in texts.items()}
seconds = time.process_time() - started
files = {}
for name, chunks in cuts.items():
    if chunks:
        kept = [line for chunk in chunks for line in chunk.text.splitlines() if line.strip()]
        digest = hashlib.sha1("\0".join(f"{c.first_line}:{c.text}" for c in chunks).encode()).hexdigest()
        files[name] = [len(kept), sum(map(len, kept)), digest]
print(json.dumps({"seconds": seconds, "files": files}))
"""


def probe(code: Path, tree: Path) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(code)}
    run = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE, str(tree)], env=environment, capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise SystemExit(f"the prefilter at {code} failed on {tree}:\n{run.stderr}")
    return json.loads(run.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the revision to compare against (a commit, branch or tag)")
    parser.add_argument("--after", help="a revision instead of the working tree")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    sides = {"before": checkout(arguments.before), "after": checkout(arguments.after) if arguments.after else ROOT}
    for tree_name, tree in {"transformers": prepare_tree(), "torch": torch_tree()}.items():
        seconds: dict[str, list[float]] = {side: [] for side in sides}
        cut: dict[str, dict] = {}
        for number in range(arguments.rounds):
            for side in sides if number % 2 == 0 else reversed(sides):  # neither side always first
                result = probe(sides[side], tree)
                seconds[side].append(result["seconds"])
                cut[side] = result["files"]
        report(tree_name, cut["before"], cut["after"], seconds, arguments.rounds)
    return 0


def report(name: str, before: dict, after: dict, seconds: dict[str, list[float]], rounds: int) -> None:
    lines = [sum(v[0] for v in side.values()) for side in (before, after)]
    chars = [sum(v[1] for v in side.values()) for side in (before, after)]
    changed = [f for f in set(before) | set(after) if before.get(f, [0, 0, ""])[2] != after.get(f, [0, 0, ""])[2]]
    old, new = (statistics.median(seconds[side]) for side in ("before", "after"))
    print(f"{name}: {len(before)} / {len(after)} files parsed (before / after), cut changed in {len(changed)}")
    print(f"  parsed non-blank lines {lines[0]:,} -> {lines[1]:,} (ratio {lines[1] / max(lines[0], 1):.4f})")
    print(f"  parsed characters      {chars[0]:,} -> {chars[1]:,} (ratio {chars[1] / max(chars[0], 1):.4f})")
    print(f"  prefilter CPU, median of {rounds}: {old:.2f} s -> {new:.2f} s (ratio {new / old:.3f})")
    growth = sorted(changed, key=lambda f: after.get(f, [0, 0])[1] - before.get(f, [0, 0])[1], reverse=True)
    for path in growth[:10]:
        grown = after.get(path, [0, 0])[0] - before.get(path, [0, 0])[0]
        print(f"    {grown:+6d} lines  {os.path.relpath(path, ROOT) if path.startswith(str(ROOT)) else path}")


if __name__ == "__main__":
    sys.exit(main())
