"""The plugin under ``-W error``: none of its paths (fixture, flag, targets, report) emits a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_file import load_report

HERE = Path(__file__).parent

SUITE = """
import pytest
import torch
from torch import nn

from buggy_modules import LegacyTensor

def test_fixture(param_init):
    param_init(nn.Linear, 8, 8)
    param_init.deferred(nn.Conv2d, 3, 4, 3)

def test_fixture_finds(param_init):
    param_init(LegacyTensor)

def test_flag():
    nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))

@pytest.mark.param_init(allow={"*.weight": "uninitialized"})
def test_flag_allowed():
    LegacyTensor()
"""


def test_the_plugin_is_warning_clean_under_w_error(pytester: pytest.Pytester, monkeypatch):
    # what a project with filterwarnings = error writes; asyncio_default_fixture_loop_scope because the
    # dev extra has pytest-asyncio, whose configure hook warns without it
    pytester.makeini("[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"
                     "param_init_targets = buggy_modules:LegacyTensor\n")
    pytester.makepyfile(test_suite=SUITE)
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", "--check-param-init",
                                           f"--param-init-report={report}", "-rfE")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(["FAILED *test_fixture_finds*", "FAILED *LegacyTensor*"])
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Warning" not in output, output
    assert load_report(report)["findings"] == {"uninitialized": 2}


@pytest.mark.parametrize("run", ["runpytest_inprocess", "runpytest_subprocess"])
def test_a_pytester_run_without_an_ini_is_warning_clean(pytester: pytest.Pytester, run: str):
    # the suite's own runs (tests/conftest.py): a bare directory, as most pytester tests use
    pytester.makepyfile(test_bare="def test_bare(param_init):\n    pass\n")
    # in-process only: pytest marks the already imported plugin for assertion rewriting and warns when an
    # earlier test of this process imported it outside the rewrite hook (pytester's artifact, not a user's run)
    rewrite = ("-W", "ignore::pytest.PytestAssertRewriteWarning") if run == "runpytest_inprocess" else ()
    result = getattr(pytester, run)("-W", "error", *rewrite, "-p", "no:cacheprovider", "--check-param-init")
    result.assert_outcomes(passed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Warning" not in output, output
