"""The results cache with the real rules: what a warm run reports is what a cold run found,
fixes included, and an edit brings back only the edited file for analysis."""

from __future__ import annotations

import shutil
from pathlib import Path

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position
from ruff_like_rules.workspace.cache import CacheFile, finding_to_data
from ruff_like_rules.workspace.config import Overrides, Resolver
from ruff_like_rules.workspace.runner import Runner, RunOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "custom_layers.py"
MARKER = Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, "planted in the cache", Position(1, 0), Position(1, 0))


def project(root: Path) -> Path:
    """Three copies of the bundled example (findings of every stable rule, fixes among them)."""
    for name in ("a.py", "pkg/b.py", "pkg/c.py"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLE, path)
    return root


def check(root: Path, use_cache: bool = True) -> dict[str, list[Finding]]:
    runner = Runner(Resolver(overrides=Overrides(), cwd=root), RunOptions(jobs=1, use_cache=use_cache))
    return {result.display: result.findings for result in runner.check_paths()}


def plant_marker(root: Path) -> None:
    """Add MARKER to every cached result: a file reported with it was served from the cache."""
    (path,) = (root / ".paraminit_cache").glob("*/*.json")
    cache_file = CacheFile.load(path)
    for entry in cache_file.entries.values():
        entry[4].append(finding_to_data(MARKER))
    cache_file.dirty = True
    cache_file.save()


def test_warm_run_reports_the_cold_findings_with_their_fixes(tmp_path: Path) -> None:
    root = project(tmp_path)
    cold = check(root)
    assert any(f.fix is not None and f.fix.edits for f in cold["a.py"])
    plant_marker(root)
    assert check(root) == {name: [*findings, MARKER] for name, findings in cold.items()}


def test_editing_one_file_reanalyses_only_that_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    cold = check(root)
    plant_marker(root)
    edited = root / "pkg" / "b.py"
    edited.write_text(EXAMPLE.read_text(encoding="utf-8").replace("torch.Tensor(", "torch.zeros("), encoding="utf-8")
    truth = check(root, use_cache=False)
    assert truth["pkg/b.py"] != cold["pkg/b.py"]
    served = {name: [*findings, MARKER] for name, findings in cold.items()}
    assert check(root) == {**served, "pkg/b.py": truth["pkg/b.py"]}
