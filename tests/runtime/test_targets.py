"""``param_init_targets`` items are collected under the target module's file, as any test is (issue 15 item 1)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

MODELS = """
import torch
from torch import nn


class Clean(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)


class Raw(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(16, 16))


class NeedsConfig(nn.Module):
    def __init__(self, config):
        super().__init__()
"""
TARGETS = ["src/pkg/models.py::Clean", "src/pkg/models.py::NeedsConfig", "src/pkg/models.py::Raw"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A package under src/ whose classes are targets, and a test directory the walk does not reach them from."""
    package = pytester.mkdir("src") / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MODELS)
    pytester.mkdir("tests").joinpath("test_a.py").write_text("def test_a():\n    pass\n")
    pytester.makeini("[pytest]\ntestpaths = tests\npythonpath = src\nparam_init_targets = pkg.models\n")
    return pytester


def _ran(result: pytest.RunResult) -> dict[str, str]:
    """Node id -> outcome, from the -rA short summary."""
    ran = {}
    for line in result.outlines:
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "SKIPPED", "ERROR") and not rest.startswith("["):
            ran[rest.split(" - ")[0]] = word
    return ran


def test_items_have_node_ids_under_the_target_file_and_collection_counts_agree(project: pytest.Pytester):
    listed = project.runpytest("--collect-only", "-q")
    assert [line for line in listed.outlines if "::" in line] == ["tests/test_a.py::test_a", *TARGETS]
    listed.stdout.fnmatch_lines(["4 tests collected*"])
    result = project.runpytest("-rA")
    assert _ran(result) == {"tests/test_a.py::test_a": "PASSED", TARGETS[0]: "PASSED", TARGETS[2]: "FAILED"}
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    line = 1 + MODELS.splitlines().index("class NeedsConfig(nn.Module):")
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] src/pkg/models.py:{line}: cannot build NeedsConfig: TypeError*"])


def test_selecting_a_test_file_runs_that_file_only(project: pytest.Pytester):
    only = project.runpytest("tests/test_a.py")
    only.assert_outcomes(passed=1)
    directory = project.runpytest("tests")  # a directory is the suite: the targets come along
    directory.assert_outcomes(passed=2, failed=1, skipped=1)
    asked = project.runpytest("tests/test_a.py", "--param-init-target", "pkg.models:Clean")  # asked for by name
    asked.assert_outcomes(passed=2)


def test_a_target_node_id_runs_that_target(project: pytest.Pytester):
    result = project.runpytest("-rA", TARGETS[2])
    assert _ran(result) == {TARGETS[2]: "FAILED"}
    by_file = project.runpytest("-rA", "src/pkg/models.py")
    assert set(_ran(by_file)) == {TARGETS[0], TARGETS[2]}
    by_file.assert_outcomes(passed=1, failed=1, skipped=1)


def test_keyword_and_deselect_select_targets(project: pytest.Pytester):
    keyword = project.runpytest("-rA", "-k", "Raw or test_a")
    assert _ran(keyword) == {"tests/test_a.py::test_a": "PASSED", TARGETS[2]: "FAILED"}
    deselected = project.runpytest("-rA", "--deselect", TARGETS[2], "--deselect", TARGETS[1])
    assert _ran(deselected) == {"tests/test_a.py::test_a": "PASSED", TARGETS[0]: "PASSED"}
    deselected.stdout.fnmatch_lines(["*2 passed, 2 deselected*"])


def test_last_failed_and_failed_first_know_targets(project: pytest.Pytester):
    project.runpytest()
    last_failed = project.runpytest("-rA", "--lf")
    assert _ran(last_failed) == {TARGETS[2]: "FAILED"}
    failed_first = project.runpytest("-v", "--ff", "-p", "no:randomly")
    order = [line.split()[0] for line in failed_first.outlines if line.split(" ")[-1:] != [""] and "::" in line
             and line.split()[1:2] in (["PASSED"], ["FAILED"], ["SKIPPED"])]
    assert order[0] == TARGETS[2] and len(order) == 4, order


def test_junitxml_names_the_target_module(project: pytest.Pytester):
    xml = project.path / "junit.xml"
    project.runpytest(f"--junitxml={xml}")
    cases = {(case.get("classname"), case.get("name")) for case in ET.parse(xml).iter("testcase")}
    assert cases == {("tests.test_a", "test_a"), ("src.pkg.models", "Clean"), ("src.pkg.models", "NeedsConfig"),
                     ("src.pkg.models", "Raw")}


def test_a_target_file_the_walk_reaches_is_collected_once(project: pytest.Pytester):
    Path(project.path, "pytest.ini").write_text("[pytest]\npythonpath = src\nparam_init_targets = pkg.models\n")
    result = project.runpytest("--collect-only", "-q")  # rootdir walk: src/pkg/models.py is reached
    assert sorted(line for line in result.outlines if "::" in line) == sorted(["tests/test_a.py::test_a", *TARGETS])


def test_targets_under_xdist(project: pytest.Pytester):
    result = project.runpytest_subprocess("-n", "2", "-rA", "-p", "no:cacheprovider")
    assert _ran(result) == {"tests/test_a.py::test_a": "PASSED", TARGETS[0]: "PASSED", TARGETS[2]: "FAILED"}
    result.assert_outcomes(passed=2, failed=1, skipped=1)
