"""``--param-init-mode=warn`` (report only) and ``param_init_ignore`` (issue 15, missing conveniences)."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_file import load_report

HERE = Path(__file__).parent

SUITE = """
import torch
from torch import nn


class Raw(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(4, 4))


class Listed(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = [nn.Linear(4, 4)]


def test_fixture(param_init):
    param_init(Raw)


def test_flag():
    Raw()


def test_listed():
    Listed()


def test_clean():
    nn.Linear(4, 4)
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_suite=SUITE, models=SUITE.split("def test_")[0])  # Raw and Listed as targets
    pytester.syspathinsert()
    return pytester


def test_report_only_mode_shows_and_records_findings_and_fails_no_test(suite: pytest.Pytester):
    report = suite.path / "report.json"
    args = ("--check-param-init", "--param-init-target", "models", f"--param-init-report={report}")
    failing = suite.runpytest(*args)
    failing.assert_outcomes(passed=1, failed=5)  # three tests and the Raw and Listed targets
    result = suite.runpytest(*args, "--param-init-mode=warn")
    result.assert_outcomes(passed=6)
    assert result.ret == pytest.ExitCode.OK
    for test in ("test_suite.py::test_fixture", "test_suite.py::test_flag", "test_suite.py::test_listed",
                 "models.py::Raw", "models.py::Listed"):
        result.stdout.fnmatch_lines([f"findings in {test}:", "paraminit: *"])
    result.stdout.fnmatch_lines(["*[[]uninitialized[]] weight: 16 of 16 elements never written (expected 0)",
                                 "checked * modules, * parameters: 5 findings (uninitialized: 3, "
                                 "unregistered-module: 2) in 5 tests (report only, --param-init-mode=warn: "
                                 "no test failed for them)"])
    data = load_report(report)
    assert data["report_only"] is True and data["findings"] == {"uninitialized": 3, "unregistered-module": 2}
    assert len(data["failed_tests"]) == 5  # the tests the findings would have failed


def test_report_only_mode_keeps_a_module_built_at_import_time_from_failing_the_collection(suite: pytest.Pytester):
    suite.makepyfile(test_imported="from test_suite import Raw\n\nMODEL = Raw()\n\ndef test_it():\n    pass\n")
    failing = suite.runpytest("--check-param-init", "test_imported.py")
    assert failing.ret == pytest.ExitCode.INTERRUPTED
    result = suite.runpytest("--check-param-init", "--param-init-mode=warn", "test_imported.py")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["findings in test_imported.py:", "paraminit: Raw built at *test_imported.py:3"])


def test_report_only_mode_under_xdist(suite: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(suite.path))
    result = suite.runpytest_subprocess("--check-param-init", "--param-init-mode=warn", "-n", "2",
                                        "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    for test in ("test_fixture", "test_flag", "test_listed"):
        result.stdout.fnmatch_lines([f"findings in test_suite.py::{test}:"])


def test_ignored_checks_are_not_reported_anywhere(suite: pytest.Pytester):
    suite.makeini("[pytest]\nparam_init_ignore =\n    unregistered-module\n")
    report = suite.path / "report.json"
    result = suite.runpytest("--check-param-init", f"--param-init-report={report}")
    result.assert_outcomes(passed=2, failed=2)  # test_listed passes: its only finding is ignored
    assert "unregistered-module" not in result.stdout.str()
    data = load_report(report)
    assert data["findings"] == {"uninitialized": 2}
    assert not any(f["check"] == "unregistered-module" for r in data["reports"] for f in r["findings"])
    assert data["allow_rules"] == {}  # an ignore is no allow rule: never "unused"


def test_an_unknown_ignored_check_is_a_usage_error(suite: pytest.Pytester):
    suite.makeini("[pytest]\nparam_init_ignore = uninitialised, scale\n")
    result = suite.runpytest("--check-param-init")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("unknown check id(s) ['uninitialised'] for param_init_ignore (did you mean 'uninitialized'?)"
            in result.stderr.str())
