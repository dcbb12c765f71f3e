"""Both halves agree on the meta-device path: on each realistic model of ``meta_models``, what
the runtime deferred check finds raw after ``to_empty()`` and the model's initializer is exactly
what PIN007 reports (class and attribute). The runtime half is asked three ways, each a real
entry point: ``build_deferred_and_check``, the ``param_init.deferred`` fixture and
``pytest --check-param-init --param-init-deferred`` on a test that builds the model (pytester,
findings read from ``--param-init-report``); the static half through the real ``paraminit check``."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
from torch import nn

from pytest_paraminit import build_deferred_and_check

HERE = Path(__file__).parent
MODELS = HERE / "meta_models"
ROOTS = {"gpt": "GPT", "llama": "LlamaBlock", "hf_style": "DualEncoder", "weight_norm_conv": "ResBlock",
         "mha": "EncoderLayer", "correct": "Attention"}
EXECUTABLE = shutil.which("paraminit")

# one test builds the model (the flag builds it a second time, deferred), one asks the fixture
PLUGIN_TESTS = """
from meta_models.{name} import {root}, ARGS, INITIALIZER

def test_builds_it():
    {root}(*ARGS)

def test_fixture(param_init):
    param_init.deferred({root}, *ARGS, initialize=INITIALIZER)
"""


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"meta_models_{name}", MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _holders(source, root: nn.Module, names: list[str]) -> set[tuple[str, str]]:
    """(class, attribute) of each reported tensor: the nearest module of the model's own file
    that holds it, and the attribute it holds it under (``attn.in_proj_weight`` -> the layer
    holding the ``MultiheadAttention``; ``conv1.weight (weight_norm original0)`` -> ``conv1``)."""
    found = set()
    for name in names:
        parts = re.sub(r" \(.*\)$", "", name).split(".")
        for cut in range(len(parts) - 1, -1, -1):
            holder = root.get_submodule(".".join(parts[:cut]))
            if type(holder).__module__ == source.__name__:
                found.add((type(holder).__name__, parts[cut]))
                break
    return found


def _runtime_misses(name: str) -> set[tuple[str, str]]:
    source = _load(name)
    root, report = build_deferred_and_check(getattr(source, ROOTS[name]), *source.ARGS, initialize=source.INITIALIZER,
                                             compare=False)
    assert root is not None, report.error
    return _holders(source, root, [f.name for f in report.failures if f.check == "uninitialized"])


def _plugin_misses(pytester: pytest.Pytester, name: str) -> dict[str, set[tuple[str, str]]]:
    """What the plugin's deferred reports leave raw, by test (the flag's build, the fixture's)."""
    source = _load(name)
    pytester.syspathinsert(HERE)
    pytester.makepyfile(test_model=PLUGIN_TESTS.format(name=name, root=ROOTS[name]))
    report = pytester.path / "report.json"
    result = pytester.runpytest("--check-param-init", "--param-init-deferred",
                                f"--param-init-deferred-initializer={source.INITIALIZER}", f"--param-init-report={report}")
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    with torch.device("meta"):
        root = getattr(source, ROOTS[name])(*source.ARGS)
    found: dict[str, set[tuple[str, str]]] = {"test_builds_it": set(), "test_fixture": set()}
    deferred = f"{ROOTS[name]} (deferred, {source.INITIALIZER})"
    for entry in json.loads(report.read_text())["reports"]:
        if entry["module"].startswith(deferred):
            assert entry["error"] is None, entry["error"]
            names = [f["name"] for f in entry["findings"] if f["check"] == "uninitialized" and not f["allowed"]]
            found[entry["test"].rpartition("::")[2]] |= _holders(source, root, names)
    return found


@pytest.fixture(scope="module")
def static_findings(tmp_path_factory) -> dict[str, set[tuple[str, str]]]:
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(MODELS, project / "meta_models")
    done = subprocess.run([EXECUTABLE, "check", "--no-cache", "--select", "PIN007", "--output-format", "json", "."],
                          cwd=project, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    found: dict[str, set[tuple[str, str]]] = {name: set() for name in ROOTS}
    for item in json.loads(done.stdout):
        path = Path(item["filename"])
        tree = ast.parse(path.read_text(encoding="utf-8"))
        line = item["location"]["row"]
        klass = next(n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.lineno <= line <= n.end_lineno)
        key = re.search(r"`\w+\.(\w+)`", item["message"]).group(1)
        found[path.stem].add((klass, key))
    return found


pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_runtime_and_pin007_find_the_same_tensors_left_behind(name, static_findings):
    expected = _load(name).LEFT_BEHIND
    assert _runtime_misses(name) == expected
    assert static_findings[name] == expected


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_the_plugin_finds_them_too(name, pytester: pytest.Pytester, static_findings):
    expected = _load(name).LEFT_BEHIND
    assert _plugin_misses(pytester, name) == {"test_builds_it": expected, "test_fixture": expected}
    assert static_findings[name] == expected


def test_pin007_is_silent_in_a_project_that_never_builds_on_meta(tmp_path):
    shutil.copytree(MODELS, tmp_path / "meta_models", ignore=shutil.ignore_patterns("trainer.py"))
    done = subprocess.run([EXECUTABLE, "check", "--no-cache", "--select", "PIN007", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "All checks passed!" in done.stdout, done.stdout + done.stderr
