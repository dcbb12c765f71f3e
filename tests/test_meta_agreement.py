"""Both halves agree on the meta-device path: on each realistic model of ``tests/meta_models``,
what the runtime deferred check finds raw after ``to_empty()`` and the model's initializer is
exactly what PIN007 reports (class and attribute), through the real ``paraminit`` command."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_paraminit import build_deferred_and_check

MODELS = Path(__file__).parent / "meta_models"
ROOTS = {"gpt": "GPT", "llama": "LlamaBlock", "hf_style": "DualEncoder", "weight_norm_conv": "ResBlock",
         "mha": "EncoderLayer", "correct": "Attention"}
EXECUTABLE = shutil.which("paraminit")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"meta_models_{name}", MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _runtime_misses(name: str) -> set[tuple[str, str]]:
    """(class, attribute) of every tensor the deferred build leaves raw: the nearest module of
    the model's own file that holds it, and the attribute it holds it under."""
    source = _load(name)
    root, report = build_deferred_and_check(getattr(source, ROOTS[name]), *source.ARGS, initialize=source.INITIALIZER,
                                             compare=False)
    assert root is not None, report.error
    found = set()
    for finding in report.failures:
        if finding.check != "uninitialized":
            continue
        parts = re.sub(r" \(.*\)$", "", finding.name).split(".")
        for cut in range(len(parts) - 1, -1, -1):
            holder = root.get_submodule(".".join(parts[:cut]))
            if type(holder).__module__ == source.__name__:
                found.add((type(holder).__name__, parts[cut]))
                break
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


def test_pin007_is_silent_in_a_project_that_never_builds_on_meta(tmp_path):
    shutil.copytree(MODELS, tmp_path / "meta_models", ignore=shutil.ignore_patterns("trainer.py"))
    done = subprocess.run([EXECUTABLE, "check", "--no-cache", "--select", "PIN007", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "All checks passed!" in done.stdout, done.stdout + done.stderr
