"""The accuracy corpus: realistic model code, each flagged line marked ``# expect: CODE``.

Each rule's cases live in ``corpus/<CODE>/``: the code it flags, and (``ok_*``) the code it
must not flag. Every file must give exactly the expected (line, code) pairs on the full parse,
and the fast path (the prefilter) must give the very same findings. A file may choose its rules
with a first line ``# paraminit-test: select=PIN005,PIN006``; otherwise every stable rule runs.
Where a comment at the end of the flagged line would change what a trigger reads (PIN005's and
PIN105's look at the end of ``self.x = x``), ``# expect-next: CODE`` on the line above says it.

A ``fix_*.py`` case has a sibling ``fix_*.fixed.py``: the file after every fix (unsafe ones
too) is applied, which must be exactly the sibling (the source itself where no fix may apply);
what is left afterwards is exactly the findings that came without a fix.

A slice of torch's own source (``torch/nn`` and ``common_nn.py``), located without
importing torch, checks that the fast path finds what the full parse finds, for every
rule including preview ones, also when cut block by block as the language server does.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest

from ruff_like_rules.engine.analyze import ChunkCache, analyze_source
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.fix.apply import SourceFile, fix_source
from ruff_like_rules.rules import ALL_RULES, rule_by_code

CORPUS = Path(__file__).parent / "corpus"
FIXED = ".fixed.py"
FILES = sorted(CORPUS.glob("*/*.py"))
CASES = [path for path in FILES if not path.name.endswith(FIXED)]
FIX_CASES = [path for path in CASES if path.name.startswith("fix_")]
STABLE_RULES = tuple(rule for rule in ALL_RULES if not rule.preview)

_EXPECT = re.compile(r"#\s*expect(?P<next>-next)?:\s*(?P<codes>PIN\d{3}(?:\s*,\s*PIN\d{3})*)\s*$")
_SELECT = re.compile(r"#\s*paraminit-test:\s*select=([A-Z0-9, ]+)$")


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def expectations(text: str) -> Counter[tuple[int, str]]:
    """(line, code) pairs from ``# expect:`` comments (real comments only, not strings); a
    ``# expect-next:`` comment speaks for the line below it."""
    expected: Counter[tuple[int, str]] = Counter()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and (match := _EXPECT.search(token.string)):
            line = token.start[0] + (1 if match.group("next") else 0)
            expected.update((line, code.strip()) for code in match.group("codes").split(","))
    return expected


def selected_rules(text: str) -> tuple:
    match = _SELECT.match(text.splitlines()[0].strip() if text else "")
    if match is None:
        return STABLE_RULES
    rules = tuple(rule_by_code(code.strip()) for code in match.group(1).split(",") if code.strip())
    assert None not in rules, f"unknown code in {match.group(0)!r}"
    return rules


def test_corpus_is_big_and_balanced():
    assert len(CASES) >= 45
    flagged = [case for case in CASES if expectations(case.read_bytes().decode())]
    assert 0.3 <= len(flagged) / len(CASES) <= 0.7


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_case_lives_with_a_rule_it_runs(case: Path):
    rule = rule_by_code(case.parent.name)
    assert rule is not None, f"{case.parent.name}/ is not a rule code"
    assert rule in selected_rules(case.read_bytes().decode())


def test_each_fix_case_has_its_fixed_sibling_and_back():
    assert FIX_CASES
    siblings = {path for path in FILES if path.name.endswith(FIXED)}
    assert siblings == {case.with_name(case.stem + FIXED) for case in FIX_CASES}


def _settings(case: Path, prefilter: bool = True) -> AnalysisSettings:
    return AnalysisSettings(rules=selected_rules(case.read_bytes().decode()), prefilter=prefilter)


def _analyze(case: Path, prefilter: bool) -> list:
    # as the CLI reads it: CRLF files stay CRLF
    return analyze_source(case.read_bytes(), _settings(case, prefilter))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_corpus_findings_are_exactly_the_expected_ones(case: Path):
    found = Counter((f.start.line, f.code) for f in _analyze(case, prefilter=False))
    assert found == expectations(case.read_bytes().decode())


@pytest.mark.parametrize("case", FILES, ids=case_id)
def test_fast_path_finds_what_the_full_parse_finds_in_the_corpus(case: Path):
    full = _analyze(case, prefilter=False)
    assert _analyze(case, prefilter=True) == full
    # the language server's cut: one chunk per kept def or class
    assert analyze_source(case.read_bytes(), _settings(case), ChunkCache()) == full


@pytest.mark.parametrize("case", FIX_CASES, ids=case_id)
def test_fixing_gives_the_fixed_sibling(case: Path):
    source = SourceFile.decode(case.read_bytes())
    expected = SourceFile.decode(case.with_name(case.stem + FIXED).read_bytes())
    settings = _settings(case)
    outcome = fix_source(source.text, settings, unsafe=True)
    assert outcome.text == expected.text
    cst.parse_module(outcome.text)
    assert outcome.dropped == ()
    unfixable = Counter((f.code, f.message) for f in analyze_source(source.text, settings) if f.fix is None)
    assert Counter((f.code, f.message) for f in outcome.remaining) == unfixable


def _torch_slice() -> list[Path]:
    spec = importlib.util.find_spec("torch")  # a top-level spec: torch is not imported
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted((root / "nn").rglob("*.py")) + [root / "testing" / "_internal" / "common_nn.py"]


TORCH_FILES = _torch_slice()


@pytest.mark.skipif(not TORCH_FILES, reason="torch is not installed")
@pytest.mark.parametrize("path", TORCH_FILES, ids=lambda path: path.as_posix().rsplit("/torch/", 1)[-1])
def test_fast_path_finds_what_the_full_parse_finds_in_torch(path: Path):
    source = path.read_bytes()
    fast = analyze_source(source, AnalysisSettings(rules=ALL_RULES))
    full = analyze_source(source, AnalysisSettings(rules=ALL_RULES, prefilter=False))
    assert fast == full
    # the language server's cut: one chunk per kept def or class
    assert analyze_source(source, AnalysisSettings(rules=ALL_RULES), ChunkCache()) == full
