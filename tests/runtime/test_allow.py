"""Allow rules as users write them: globs at any depth, unused rules warned, typos a usage error."""

from __future__ import annotations

import pytest

from pytest_paraminit.allow import AllowList, AllowRule
from report_file import load_report

ONES = """
import pytest
import torch
from torch import nn

class Ones(nn.Module):
    def __init__(self):
        super().__init__()
        self.ones = nn.Parameter(torch.ones(16, 16))

    def forward(self, x):
        return x @ self.ones

class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ones = nn.Parameter(torch.ones(16, 16))
        self.inner = Ones()

    def forward(self, x):
        return self.inner(x @ self.ones)
"""


def test_a_star_dot_glob_matches_at_the_root_and_at_any_depth():
    rule = AllowRule("*.lora_B", frozenset({"constant"}))
    assert rule.matches("constant", "lora_B") and rule.matches("constant", "blocks.3.attn.lora_B")
    assert not rule.matches("constant", "lora_Bx") and not rule.matches("scale", "lora_B")
    exact = AllowRule("lora_B", frozenset({"*"}))
    assert exact.matches("scale", "lora_B") and not exact.matches("scale", "blocks.0.lora_B")


def test_root_and_nested_parameters_are_allowed_by_one_glob(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nparam_init_allow =\n    *.ones: constant\n")
    pytester.makepyfile(ONES + """
def test_outer(param_init):
    param_init(Outer)

def test_root_only(param_init):
    param_init(Ones)
""")
    report = pytester.path / "report.json"
    result = pytester.runpytest(f"--param-init-report={report}")
    result.assert_outcomes(passed=2)
    assert load_report(report)["allow_rules"] == {"param_init_allow: *.ones: constant": 3}
    assert "unused allow rule" not in result.stdout.str()


def test_a_rule_that_allowed_nothing_in_the_session_is_warned(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nparam_init_allow =\n    *.ones: constant\n    *.lora_B: constant, scale\n")
    pytester.makepyfile(ONES + """
@pytest.mark.param_init(allow={"inner.ones": "scale"})
def test_marked(param_init):
    param_init(Outer)

def test_linear(param_init):
    param_init(nn.Linear, 4, 4)
""")
    report = pytester.path / "report.json"
    result = pytester.runpytest("-p", "no:randomly", f"--param-init-report={report}")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*== paraminit ==*", "checked 2 modules, * parameters: 0 findings", "time spent checking: *",
        "unused allow rule (it allowed no finding): param_init_allow: *.lora_B: constant, scale",
        "unused allow rule (it allowed no finding): @pytest.mark.param_init: inner.ones: scale",
    ])
    assert load_report(report)["allow_rules"] == {
        "param_init_allow: *.ones: constant": 2, "param_init_allow: *.lora_B: constant, scale": 0,
        "@pytest.mark.param_init: inner.ones: scale": 0}


@pytest.mark.parametrize(("marker", "message"), [
    ('alow={"ones": "constant"}',
     "*test_typo.py::test_it: @pytest.mark.param_init: unknown argument alow=; it takes allow= and skip="),
    ('{"ones": "constant"}', "*test_typo.py::test_it: @pytest.mark.param_init: unknown argument {'ones': *"),
    ('allow={"ones": "constnat"}',
     "*test_typo.py::test_it: unknown check id(s) ?'constnat'? for 'ones' (did you mean 'constant'?); known: *"),
    ('allow="ones"', "*test_typo.py::test_it: allow= takes a mapping of parameter globs to check ids, not str"),
])
def test_a_marker_typo_is_a_usage_error_before_any_test_runs(pytester: pytest.Pytester, marker, message):
    pytester.makepyfile(test_typo=f"""
import pytest

def test_first():
    raise AssertionError("must not run")

@pytest.mark.param_init({marker})
def test_it(param_init):
    pass
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "must not run" not in result.stdout.str()


def test_an_unknown_check_id_in_the_ini_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nparam_init_allow =\n    *.ones: scael\n")
    pytester.makepyfile("def test_it(): pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown check id(s) ?'scael'? for '*.ones' (did you mean 'scale'?)*"])


def test_rules_keep_where_they_were_written():
    allow = AllowList.from_lines(["a: scale"]) + AllowList.from_mapping({"b": ["constant", "scale"]}, "marker")
    assert [str(rule) for rule in allow.rules] == ["param_init_allow: a: scale", "marker: b: constant, scale"]
    assert allow.matching("scale", "b") == [allow.rules[1]]
