"""``fix_source``: passes to a fixed point, safety levels, overlaps, refusals, idempotence."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.engine.rule import Rule
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.fix.apply import UNPARSABLE, apply_edits, fix_source
from ruff_like_rules.rules import ALL_RULES, rule_by_code

STABLE = AnalysisSettings(rules=tuple(rule for rule in ALL_RULES if not rule.preview))

SOURCE = """\
import torch
from torch import nn

a = torch.FloatTensor(2, 2)
print(a)
b = torch.LongTensor([1, 2])


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
"""


def codes(findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in findings]


def test_safe_fixes_only_by_default() -> None:
    outcome = fix_source(SOURCE, STABLE)
    assert sorted(codes(outcome.applied)) == ["PIN004"]
    # PIN002's rewrite to torch.empty keeps the read of garbage, so it is unsafe (issue 12 item 6)
    assert sorted(codes(outcome.remaining)) == ["PIN002", "PIN003"]
    assert "a = torch.empty(2, 2, dtype=torch.float32)" not in outcome.text
    assert "b = torch.tensor([1, 2], dtype=torch.int64)" in outcome.text
    assert "self.reset_parameters()" not in outcome.text
    assert outcome.dropped == ()


def test_unsafe_fixes_when_asked_and_nothing_remains() -> None:
    outcome = fix_source(SOURCE, STABLE, unsafe=True)
    assert sorted(codes(outcome.applied)) == ["PIN002", "PIN003", "PIN004"]
    assert outcome.remaining == ()
    assert "        self.weight = nn.Parameter(torch.empty(n, n))\n        self.reset_parameters()\n" in outcome.text


def test_fixing_twice_changes_nothing() -> None:
    once = fix_source(SOURCE, STABLE, unsafe=True)
    twice = fix_source(once.text, STABLE, unsafe=True)
    assert (twice.text, twice.applied, twice.dropped) == (once.text, (), ())


def test_nothing_to_fix_returns_the_text_unchanged() -> None:
    text = "import torch\nx = torch.zeros(3)\n"
    outcome = fix_source(text, STABLE, unsafe=True)
    assert outcome == type(outcome)(text, (), (), ())


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    # both PIN002 findings' fixes rewrite nested calls: the outer one goes first, the inner
    # one is found again in the re-analysed text and fixed in the next pass
    text = "import torch\nx = torch.Tensor(torch.FloatTensor(2, 2).sum().int(), 3)\nprint(x)\n"
    outcome = fix_source(text, AnalysisSettings(rules=(rule_by_code("PIN002"),)), unsafe=True)
    assert outcome.text.splitlines()[1] == "x = torch.empty(torch.empty(2, 2, dtype=torch.float32).sum().int(), 3)"
    assert [f.start.column for f in outcome.applied] == [4, 16]  # the inner one, found again one column left


def test_the_iteration_bound_holds() -> None:
    outcome = fix_source(SOURCE, STABLE, unsafe=True, max_iterations=0)
    assert outcome.text == SOURCE and outcome.applied == ()


class BreaksSyntax(Rule):
    """A rule whose fix deletes a closing bracket: its result never parses."""

    code = "PIN900"
    name = "breaks-syntax"
    summary = "test rule"
    trigger = re.compile(r"\bbreak_me\b")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for line, text in enumerate(ctx.text.splitlines(), start=1):
            column = text.find("break_me()")
            if column >= 0:
                close = Position(line, column + len("break_me()") - 1)
                fix = Fix(
                    "delete the bracket", (Edit(close, Position(line, close.column + 1), ""),), Applicability.SAFE
                )
                yield Finding(self.code, self.name, "broken", Position(line, column), Position(line, column + 10), fix)


def test_a_fix_whose_result_would_not_parse_is_dropped_and_others_still_apply() -> None:
    text = "import torch\nbreak_me()\na = torch.FloatTensor(2, 2)\nprint(a)\n"
    settings = AnalysisSettings(rules=(BreaksSyntax, rule_by_code("PIN002")))
    outcome = fix_source(text, settings, unsafe=True)
    assert [(f.code, why) for f, why in outcome.dropped] == [("PIN900", UNPARSABLE)]
    assert codes(outcome.applied) == ["PIN002"]
    assert "break_me()" in outcome.text
    cst.parse_module(outcome.text)


def test_apply_edits_counts_lines_like_python() -> None:
    # a form feed is not a line break for Python or libcst, though str.splitlines says so
    text = "x = 1\x0c\ny = 2\r\nz = 3"
    edits = [Edit(Position(2, 0), Position(2, 1), "Y"), Edit(Position(3, 0), Position(3, 1), "Z")]
    assert apply_edits(text, edits) == "x = 1\x0c\nY = 2\r\nZ = 3"


def test_equal_edits_apply_once() -> None:
    edit = Edit(Position(1, 0), Position(1, 0), "import math\n")
    assert apply_edits("import torch\n", [edit, edit]) == "import math\nimport torch\n"
