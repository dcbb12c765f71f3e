"""The accuracy corpus: realistic model code, each flagged line marked ``# expect: CODE``.

Every file under ``corpus/`` must give exactly the expected (line, code) pairs on the
full parse, and the fast path (region prefilter) must give the very same findings. A file
may choose its rules with a first line ``# paraminit-test: select=PIN001,PIN003``;
otherwise every stable rule runs.

A slice of torch's own source (``torch/nn`` and ``common_nn.py``), located without
importing torch, checks that the fast path finds what the full parse finds, for every
rule including preview ones, also when cut block by block as the language server does.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tokenize
from pathlib import Path

import pytest

from ruff_like_rules.engine.analyze import ChunkCache, analyze_source
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.rules import ALL_RULES, rule_by_code

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.py"))
STABLE_RULES = tuple(rule for rule in ALL_RULES if not rule.preview)

_EXPECT = re.compile(r"#\s*expect:\s*(PIN\d{3}(?:\s*,\s*PIN\d{3})*)\s*$")
_SELECT = re.compile(r"#\s*paraminit-test:\s*select=([A-Z0-9, ]+)$")


def expectations(text: str) -> set[tuple[int, str]]:
    """(line, code) pairs from ``# expect:`` comments (real comments only, not strings)."""
    expected = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and (match := _EXPECT.search(token.string)):
            expected |= {(token.start[0], code.strip()) for code in match.group(1).split(",")}
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


def _analyze(case: Path, prefilter: bool) -> list:
    source = case.read_bytes()  # as the CLI reads it: CRLF files stay CRLF
    settings = AnalysisSettings(rules=selected_rules(source.decode()), prefilter=prefilter)
    return analyze_source(source, settings)


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_corpus_findings_are_exactly_the_expected_ones(case: Path):
    found = {(f.start.line, f.code) for f in _analyze(case, prefilter=False)}
    assert found == expectations(case.read_bytes().decode())


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_fast_path_finds_what_the_full_parse_finds_in_the_corpus(case: Path):
    assert _analyze(case, prefilter=True) == _analyze(case, prefilter=False)


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
