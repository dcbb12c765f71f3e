"""Fixture-scope and import-time findings reach every test also under pytest-xdist (issue 15 item 8)."""

from __future__ import annotations

import pytest

from report_file import load_report

SCOPES = """
import pytest
import torch
from torch import nn


class Raw(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(4, 4))


@pytest.fixture(scope="session")
def raw():
    return Raw()


@pytest.mark.parametrize("n", range(4))
def test_uses_it(raw, n):
    pass
"""


def test_cached_and_import_time_modules_with_findings_under_xdist(pytester: pytest.Pytester):
    pytester.makepyfile(test_scopes=SCOPES,
                        test_imported="from test_scopes import Raw\n\nMODEL = Raw()\n\ndef test_it():\n    pass\n")
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess("--check-param-init", "-n", "2", "-p", "no:cacheprovider",
                                           "--continue-on-collection-errors", f"--param-init-report={report}")
    result.assert_outcomes(errors=5)  # each of the 4 tests, on whichever worker, and the importing file
    for test in range(4):
        result.stdout.fnmatch_lines([f"*ERROR at setup of test_uses_it[[]{test}[]]*", "paraminit: Raw built at *"])
    result.stdout.fnmatch_lines(["*ERROR collecting test_imported.py*", "paraminit: Raw built at *test_imported.py:3"])
    data = load_report(report)
    assert data["failed_tests"] == ["test_imported.py", *(f"test_scopes.py::test_uses_it[{n}]" for n in range(4))]
