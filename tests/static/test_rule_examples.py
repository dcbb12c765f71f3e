"""Every rule's own VALID and INVALID snippets, run as tests (the Fixit way)."""

from __future__ import annotations

import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.engine.diagnostics import Applicability
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.fix.apply import apply_edits
from ruff_like_rules.rules import ALL_RULES

VALID = [pytest.param(rule, source, id=f"{rule.code}-valid-{i}") for rule in ALL_RULES for i, source in enumerate(rule.VALID)]
INVALID = [pytest.param(rule, case, id=f"{rule.code}-invalid-{i}") for rule in ALL_RULES for i, case in enumerate(rule.INVALID)]


def _findings(rule, source):
    return analyze_source(source, AnalysisSettings(rules=(rule,)))


@pytest.mark.parametrize(("rule", "source"), VALID)
def test_valid_snippet_has_no_finding(rule, source):
    assert _findings(rule, source) == []


@pytest.mark.parametrize(("rule", "case"), INVALID)
def test_invalid_snippet_is_flagged_where_and_how_it_says(rule, case):
    findings = _findings(rule, case.source)
    assert [f.code for f in findings] == [rule.code] * len(case.findings)
    assert [(f.start.line, f.start.column + 1, f.message) for f in findings] == list(case.findings)


@pytest.mark.parametrize(("rule", "case"), INVALID)
def test_invalid_snippet_fix(rule, case):
    findings = _findings(rule, case.source)
    allowed = {Applicability.SAFE} if case.applicability == Applicability.SAFE else set(Applicability)
    edits = [e for f in findings if f.fix and f.fix.applicability in allowed for e in f.fix.edits]
    if case.fixed is None:
        assert edits == []
    else:
        assert apply_edits(case.source, edits) == case.fixed


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented_like_ruff(rule):
    doc = rule.doc()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in doc
    assert rule.name == rule.name.lower() and " " not in rule.name and "_" not in rule.name
    assert rule.VALID and rule.INVALID
