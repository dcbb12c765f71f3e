"""What the runtime reports say (issue 15 item 9): one unit for the expected column and the scale finding,
no empty table, where a fixture's module was built, allow hints that work as written, the package's API."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

import pytest_paraminit
from pytest_paraminit import build_and_check


class Wide(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Parameter(torch.randn(256, 256))

    def forward(self, x):
        return x @ self.out


class OnlyAList(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = [nn.Linear(4, 4)]


def _column(rendered: str, name: str, column: str) -> str:
    header, _, *rows = rendered.splitlines()[1:]
    start = header.index(column)
    row = next(row for row in rows if row.split()[0] == name)
    return row[start:].split()[0]


def test_the_scale_finding_speaks_the_unit_of_the_expected_column():
    _, report = build_and_check(Wide)
    (finding,) = report.failures
    assert finding.check == "scale"
    rendered = report.render()
    assert finding.expected == _column(rendered, "out", "expected")  # a std band, beside the std column
    std = _column(rendered, "out", "std")
    assert re.fullmatch(rf"std = {re.escape(std)} \(std·√fan_in = [\d.]+, fan_in 256\)", finding.measured)
    low, high = map(float, finding.expected.split(".."))
    assert not low <= float(std) <= high  # the std shown is outside the band shown: the reader sees why


def test_a_module_without_parameters_shows_no_empty_table():
    _, report = build_and_check(OnlyAList)
    lines = report.render().splitlines()
    assert lines[:2] == ["paraminit: OnlyAList", "  no parameters"]
    assert not any("parameter" in line and "verdict" in line for line in lines)
    assert "[unregistered-module] heads" in report.render()


def test_dir_lists_the_public_api():
    listed = dir(pytest_paraminit)
    for name in pytest_paraminit.__all__:
        assert name in listed
    assert {"build_and_check", "check_module", "ModuleReport", "AllowList"} <= set(listed)
    assert not {"_LAZY", "TYPE_CHECKING", "annotations"} & set(listed)


CONSTANT = """
import pytest
import torch
from torch import nn


class Ones(nn.Module):
    def __init__(self):
        super().__init__()
        self.mix = nn.Linear(8, 8)
        nn.init.ones_(self.mix.weight)

    def forward(self, x):
        return self.mix(x)


MARKER


def test_ones(param_init):
    param_init(Ones)
"""


def test_the_constant_hint_is_a_marker_and_an_ini_line_that_allow_it(pytester: pytest.Pytester):
    pytester.makepyfile(test_ones=CONSTANT.replace("MARKER", ""))
    failing = pytester.runpytest()
    failing.assert_outcomes(failed=1)
    hint = next(line.strip() for line in failing.outlines if line.strip().startswith("if deliberate:"))
    marker = re.search(r"(@pytest\.mark\.param_init\(allow=\{.*?\}\))", hint).group(1)
    ini_line = re.search(r"the line '([^']+)' under param_init_allow", hint).group(1)
    assert marker == "@pytest.mark.param_init(allow={'mix.weight': 'constant'})" and ini_line == "mix.weight: constant"
    pytester.makepyfile(test_ones=CONSTANT.replace("MARKER", marker))
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makepyfile(test_ones=CONSTANT.replace("MARKER", ""))
    pytester.makeini(f"[pytest]\nparam_init_allow =\n    {ini_line}\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_fixture_reports_say_where_the_module_was_built(pytester: pytest.Pytester):
    pytester.makepyfile(test_built="""
        import torch
        from torch import nn

        class Raw(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(4, 4))

        def test_build(param_init):
            param_init(Raw)

        def test_check(param_init):
            linear = nn.Linear(4, 4)
            nn.init.constant_(linear.weight, float("nan"))
            param_init.check(linear)

        def test_deferred(param_init):
            param_init.deferred(Raw)
        """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["paraminit: Raw built at *test_built.py:10"])
    result.stdout.fnmatch_lines(["paraminit: Linear checked at *test_built.py:15"])
    result.stdout.fnmatch_lines(["paraminit: Raw (deferred, reset_parameters) built at *test_built.py:18"])
