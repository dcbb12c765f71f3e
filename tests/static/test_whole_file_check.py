"""A finding is reported only when the whole file parses, and CPython's compiler answering
first (``syntax.cpython``) changes no verdict: what it refuses and libcst parses keeps its
findings; what both refuse is one PIN000."""

from __future__ import annotations

import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.rules import rule_by_code
from ruff_like_rules.syntax.cpython import compiles

MODEL = '''import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3, 4))
'''
SETTINGS = AnalysisSettings(rules=(rule_by_code("PIN001"),))


@pytest.mark.parametrize(
    "elsewhere",
    [
        "class Helper:\n    return 1\n",
        "def helper():\n    nonlocal x\n",
        "def helper(a, a):\n    pass\n",
        "def helper():\n    x = 1\n    global x\n",
    ],
    ids=["return-outside-function", "nonlocal-without-binding", "duplicate-argument", "global-after-use"],
)
def test_code_only_the_compiler_refuses_keeps_its_findings(elsewhere: str) -> None:
    """In a block the prefilter drops, so only the whole-file check sees it."""
    source = MODEL + "\n\n" + elsewhere
    assert not compiles(source)
    assert [f.code for f in analyze_source(source, SETTINGS)] == ["PIN001"]


def test_code_both_refuse_is_one_parse_error() -> None:
    source = MODEL + "\n\ndef helper(:\n    return 1\n"
    assert not compiles(source)
    assert [f.code for f in analyze_source(source, SETTINGS)] == ["PIN000"]


def test_the_compiler_prints_no_warnings(capfd: pytest.CaptureFixture[str]) -> None:
    source = MODEL + '\n\npattern = "\\d+"\n'
    assert compiles(source)
    assert [f.code for f in analyze_source(source, SETTINGS)] == ["PIN001"]
    assert capfd.readouterr().err == ""
