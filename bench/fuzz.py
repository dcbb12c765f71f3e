"""Fuzz the fast path: on mutated real model files it must find exactly what the full parse finds.

    python bench/fuzz.py                   # 10,000 mutants of torch/nn and the real-world trees
    python bench/fuzz.py --count 300       # fewer
    python bench/fuzz.py --quick           # the bounded sample CI runs (tests/static/test_fuzz_fast_path.py)

The prefilter (``engine/prefilter.py``) guesses from text which blocks a rule can need; the
README promises the guess never changes a finding. Real files keep to the shapes the guess
was tuned on, so this mutates them: lines deleted, lines duplicated elsewhere, and trigger
lines (raw-memory factories, wraps, initializer calls, loops over parameters, imports that
rename a wrap) inserted at random places at a neighbour's indentation. Everything is drawn
from one seeded generator, so a run is the same run on every machine.

Every mutant that parses is analysed three ways with every rule (preview ones included):
the full parse (``AnalysisSettings(prefilter=False)``), the fast path, and the language
server's block-by-block cut as after an edit (the original file analysed first, then the
mutant with the chunks it left in the ``ChunkCache``). Findings are compared as (code, line,
column, message). A mutant that does not parse is counted and skipped: there only the syntax
error may differ, which is documented. Prints the number of disagreements and their distinct
shapes (which side found what, by code), writes each disagreeing mutant to
``bench/_work/fuzz/`` and exits 1 when there is any.

Sources: ``torch/nn`` of the installed torch (located, not imported) and, when present, the
unpacked packages under ``REALWORLD`` (the realworld benchmark's trees); both are only read.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import random
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruff_like_rules.engine.analyze import ChunkCache, analyze_source  # noqa: E402
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE  # noqa: E402
from ruff_like_rules.engine.settings import AnalysisSettings  # noqa: E402
from ruff_like_rules.rules import ALL_RULES  # noqa: E402

WORK = ROOT / "bench" / "_work" / "fuzz"
REALWORLD = Path(os.environ.get("PARAMINIT_REALWORLD", "/work/wt/realworld/bench/_work/realworld"))
MAX_LINES = 400  # longer files cost a lot of parsing and add no new shapes
TRIES = 8
PROGRESS = 250  # mutants between progress lines of a run on several workers
FAST = AnalysisSettings(rules=ALL_RULES)
FULL = AnalysisSettings(rules=ALL_RULES, prefilter=False)

# Lines a rule or the prefilter reacts to; "{}" is replaced by a name drawn per insertion.
TRIGGERS = (
    "self.{} = nn.Parameter(torch.Tensor(3, 4))",
    "self.{} = Parameter(torch.FloatTensor(8))",
    "self.{} = nn.Parameter(torch.empty(4, 4))",
    "self.register_buffer('{}', torch.empty(3))",
    "self.{} = torch.zeros(1, requires_grad=True)",
    "self.{} = [nn.Linear(2, 2) for _ in range(3)]",
    "self.{} = torch.randn(4, 4)",
    "self.{} = torch.ones(4)",
    "{} = Variable(torch.Tensor(16), requires_grad=True)",
    "{} = torch.FloatTensor(2, 2)",
    "{} = x.new(3, 3)",
    "nn.init.normal_(self.{})",
    "nn.init.kaiming_uniform_(self.{}.weight)",
    "self.{}.data.uniform_(-0.1, 0.1)",
    "self.{}.zero_()",
    "torch.nn.init.constant_(self.{}, 0.0)",
    "self.reset_parameters()",
    "self._init_weights(self.{})",
    "self.apply(self._init_weights)",
    "model.apply({})",
    "model.init_weights()",
    "for p in self.parameters(): p.data.normal_()",
    "for name, p in model.named_parameters(): nn.init.zeros_(p)",
    "for m in self.modules(): {}(m)",
    "if isinstance(m, {}): nn.init.ones_(m.weight)",
    "self.load_state_dict(state)",
    "setattr(self, '{}', nn.Parameter(torch.Tensor(2)))",
    "import torch",
    "from torch import nn",
    "from torch.nn import Parameter as P",
    "from torch.nn import Parameter",
    "from torch.autograd import Variable",
    "def reset_parameters(self):",
    "def _init_weights(self, module):",
    "def {}(self):",
    "class {}(nn.Module):",
    "return {}",
    "super().__init__()",
    "pass",
)
IMPORT = re.compile(r"[ \t]*(?:import|from)[ \t]+[\w.]+[^(\\]*$")  # one-line imports only
NAMES = ("weight", "bias", "w", "scale", "proj", "layers", "Linear", "init_fn", "weights_init", "Attention", "h")


@dataclass(frozen=True)
class Outcome:
    label: str
    parses: bool
    shape: frozenset[tuple[str, str]]  # (side, code) of every finding the sides do not share
    text: str
    crashed: str = ""  # the full analysis raised this: nothing to compare against


def sources(realworld: bool) -> list[Path]:
    """Model files to mutate, in a fixed order: torch/nn first, then the real-world trees."""
    spec = importlib.util.find_spec("torch")  # located, not imported
    found: list[Path] = []
    if spec is not None and spec.submodule_search_locations:
        found += sorted((Path(next(iter(spec.submodule_search_locations))) / "nn").rglob("*.py"))
    if realworld and REALWORLD.is_dir():
        found += sorted(REALWORLD.rglob("*.py"))
    return [path for path in found if _usable(path)]


def _usable(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "torch" in text and 10 <= text.count("\n") <= MAX_LINES


def mutate(text: str, rng: random.Random) -> str:
    """One to four edits: delete a line, duplicate one somewhere else, move an import (what
    names resolve to), insert a trigger."""
    lines = text.splitlines(keepends=True) or ["\n"]
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        at = rng.randrange(len(lines))
        if kind < 0.2 and len(lines) > 1:
            del lines[at]
        elif kind < 0.4:
            lines.insert(rng.randrange(len(lines) + 1), lines[at])
        elif kind < 0.55:
            imports = [i for i, line in enumerate(lines) if IMPORT.match(line)]
            if imports:
                moved = lines.pop(rng.choice(imports)).lstrip(" \t")
                at = rng.randrange(len(lines) + 1)
                lines.insert(at, _indent_at(lines, at) + moved)
        else:
            indent = _indent_at(lines, at)
            line = rng.choice(TRIGGERS).replace("{}", rng.choice(NAMES))
            if line.endswith(":"):
                line += "\n" + indent + "    pass"
            lines.insert(at, indent + line + "\n")
    return "".join(lines)


def _indent_at(lines: list[str], at: int) -> str:
    """The indentation of the line a new line is inserted before (or of the last line)."""
    neighbour = lines[min(at, len(lines) - 1)] if lines else ""
    return neighbour[: len(neighbour) - len(neighbour.lstrip(" \t"))].rstrip("\r\n")


def _key(findings) -> Counter[tuple]:
    return Counter((f.code, f.start.line, f.start.column, f.message) for f in findings)


def _analyze(text: str, settings: AnalysisSettings, cache: ChunkCache | None = None) -> Counter[tuple] | str:
    """The findings, or the name of the exception the analysis crashed with (the reliability
    issue's to fix: a crash on the full path is counted apart, not compared)."""
    try:
        return _key(analyze_source(text, settings, cache))
    except Exception as error:  # noqa: BLE001 - any crash is an outcome to count here
        return type(error).__name__


def _edited_in_lsp(original: str, text: str) -> Counter[tuple] | str:
    """As the language server sees an edit: the original analysed first, then the mutant
    with the parsed chunks the original left in the cache."""
    cache = ChunkCache()
    _analyze(original, FAST, cache)
    return _analyze(text, FAST, cache)


def compare(label: str, text: str, original: str = "") -> Outcome:
    """The three analyses of one mutant, and what they do not share."""
    expected = _analyze(text, FULL)
    if isinstance(expected, str):
        return Outcome(label, True, frozenset(), "", crashed=expected)
    if any(key[0] == PARSE_ERROR_CODE for key in expected):
        return Outcome(label, False, frozenset(), "")
    shape: set[tuple[str, str]] = set()
    for side, got in (("fast", _analyze(text, FAST)), ("lsp", _edited_in_lsp(original, text))):
        if isinstance(got, str):
            shape.add((f"{side} crashes", got))
            continue
        shape |= {(f"{side} only", key[0]) for key in got - expected}
        shape |= {(f"{side} misses", key[0]) for key in expected - got}
    return Outcome(label, True, frozenset(shape), text if shape else "")


def _job(arguments: tuple[str, str, int]) -> Outcome:
    """Mutate until Python's own parser takes the result (a few tries: most random edits break
    indentation, and a mutant that does not parse tests nothing here), then compare."""
    path, label, seed = arguments
    original = Path(path).read_text(encoding="utf-8")
    rng = random.Random(seed)
    for _ in range(TRIES):
        text = mutate(original, rng)
        try:
            compile(text, label, "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError):
            continue
        break
    return compare(label, text, original)


def jobs(files: list[Path], count: int, seed: int) -> list[tuple[str, str, int]]:
    """``count`` mutants, spread over the files round-robin after one seeded shuffle."""
    rng = random.Random(seed)
    order = list(files)
    rng.shuffle(order)
    picked = []
    for number in range(count):
        path = order[number % len(order)]
        picked.append((str(path), f"{number:05d}-{path.stem}", rng.randrange(2**32)))
    return picked


def run(count: int, seed: int, realworld: bool = True, workers: int = 1) -> list[Outcome]:
    files = sources(realworld)
    if not files:
        raise SystemExit("no model files to mutate: install torch==2.13.0")
    planned = jobs(files, count, seed)
    if workers <= 1:
        return [_job(job) for job in planned]
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(workers) as pool:
        for outcome in pool.map(_job, planned, chunksize=8):
            outcomes.append(outcome)
            if outcome.shape:  # shown and kept at once: a long run stopped early loses nothing
                print(f"  disagreement: {outcome.label}: {_describe(outcome.shape)}", flush=True)
                _keep(outcome)
            if len(outcomes) % PROGRESS == 0:
                parsed = sum(1 for o in outcomes if o.parses)
                found = sum(1 for o in outcomes if o.shape)
                print(f"  {len(outcomes)}/{count} mutants, {parsed} parse, {found} disagreements so far", flush=True)
    return outcomes


def report(outcomes: list[Outcome], elapsed: float) -> int:
    parsed = [o for o in outcomes if o.parses]
    crashed = Counter(o.crashed for o in parsed if o.crashed)
    disagreeing = [o for o in parsed if o.shape]
    print(f"{len(outcomes)} mutants, {len(parsed)} parse, {len(outcomes) - len(parsed)} do not ({elapsed:.0f} s)")
    if crashed:
        print(f"full analysis crashed (not compared): {sum(crashed.values())}  {dict(crashed)}")
    print(f"disagreements (fast or lsp vs full): {len(disagreeing)}")
    shapes = Counter(o.shape for o in disagreeing)
    for shape, times in shapes.most_common():
        example = next(o for o in disagreeing if o.shape == shape)
        print(f"  {times:5d}  {_describe(shape)}  e.g. {example.label}")
    if disagreeing:
        for outcome in disagreeing:
            _keep(outcome)
        print(f"disagreeing mutants written to {WORK}")
    return 1 if disagreeing else 0


def _describe(shape: frozenset[tuple[str, str]]) -> str:
    return ", ".join(f"{side} {code}" for side, code in sorted(shape))


def _keep(outcome: Outcome) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"{outcome.label}.py").write_text(outcome.text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--quick", action="store_true", help="a small sample: 40 mutants of torch/nn, one worker")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    if arguments.quick:
        outcomes = run(40, arguments.seed, realworld=False)
    else:
        outcomes = run(arguments.count, arguments.seed, workers=arguments.workers)
    return report(outcomes, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
