"""The rule docs in docs/rules.md and the README's rule table are generated from the rules.

Run with PARAMINIT_REGENERATE_DOCS=1 to rewrite them after changing a rule.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ruff_like_rules.rules import ALL_RULES
from ruff_like_rules.rules.api import FixAvailability

ROOT = Path(__file__).resolve().parents[2]
RULES_DOC = ROOT / "docs" / "rules.md"
README = ROOT / "README.md"
TABLE = re.compile(r"(<!-- rules-table -->\n).*?(<!-- /rules-table -->)", re.S)


def _rules_doc() -> str:
    parts = ["# Rules\n", "Generated from the rule classes; `paraminit rule CODE` prints the same text.\n"]
    for rule in ALL_RULES:
        flags = [word for word, on in (("preview", rule.preview), (f"fix: {rule.fix_availability.value}", rule.fix_availability is not FixAvailability.NONE)) if on]
        suffix = f" ({', '.join(flags)})" if flags else ""
        body = re.sub(r"^## ", "### ", rule.doc(), flags=re.M)
        parts.append(f"## {rule.code} {rule.name}\n\n{rule.summary}{suffix}.\n\n{body}\n")
    return "\n".join(parts)


def _table() -> str:
    rows = ["| Code | Name | What it flags | Fix |", "| --- | --- | --- | --- |"]
    for rule in ALL_RULES:
        name = f"[{rule.name}](docs/rules.md#{rule.code.lower()}-{rule.name})"
        summary = rule.summary + (" *(preview)*" if rule.preview else "")
        fix = {"none": "", "sometimes": "sometimes", "always": "always"}[rule.fix_availability.value]
        rows.append(f"| {rule.code} | {name} | {summary} | {fix} |")
    return "\n".join(rows) + "\n"


def test_rules_doc_is_current():
    expected = _rules_doc()
    if os.environ.get("PARAMINIT_REGENERATE_DOCS"):
        RULES_DOC.write_text(expected, encoding="utf-8")
    assert RULES_DOC.read_text(encoding="utf-8") == expected


def test_readme_rule_table_is_current():
    readme = README.read_text(encoding="utf-8")
    assert TABLE.search(readme), "README.md needs a <!-- rules-table --> ... <!-- /rules-table --> block"
    expected = TABLE.sub(lambda m: m.group(1) + _table() + m.group(2), readme)
    if os.environ.get("PARAMINIT_REGENERATE_DOCS"):
        README.write_text(expected, encoding="utf-8")
    assert readme == expected


def test_rule_urls_point_at_their_doc_heading():
    doc = RULES_DOC.read_text(encoding="utf-8")
    for rule in ALL_RULES:
        anchor = rule.url().rsplit("#", 1)[1]
        assert f"## {rule.code} {rule.name}" in doc and anchor == f"{rule.code.lower()}-{rule.name}"
