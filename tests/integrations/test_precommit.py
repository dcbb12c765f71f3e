"""The hooks in ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` on a throwaway repository.

``pre-commit try-repo`` installs the hook repository at a commit; for a local repository
with uncommitted changes it commits tracked changes (and staged new files) in a shadow
clone, working through the live repository's git directory. The test copies the project's
files as they are on disk (tracked ones and new ones git does not ignore) into a fresh
repository and commits them there instead: it checks the code on disk, committed or not,
and never touches the project's own git state (which others may be using at the same
time). pre-commit then builds a venv and installs the project with dependencies from
PyPI, which takes a while: the test makes two runs, sharing one ``PRE_COMMIT_HOME``.

The README's own pre-commit configurations for a checkout (a ``repo: local`` hook, and
``repo:`` a path at a commit) are taken from its fenced ``yaml`` blocks and run as written,
so the README cannot drift from what works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # PyYAML: pre-commit's own dependency

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# the venv running the tests is the one paraminit is installed in: its scripts come first on PATH
SCRIPTS = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(SCRIPTS))
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None or GIT is None, reason="pre-commit and git must be installed")

BUGGY = """\
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
"""
CLEAN = """\
import torch
from torch import nn


class Gain(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
"""
IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run([GIT or "git", *args], cwd=cwd, check=True, capture_output=True, env=os.environ | IDENTITY)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))} | {
        "PRE_COMMIT_HOME": str(home),
        "PATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PATH", "")]),
        **IDENTITY,
    }


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files as they are on disk, committed in a repository of their own."""
    copy = tmp_path_factory.mktemp("paraminit-hooks")
    listed = subprocess.run(
        [GIT or "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot of the working tree")
    return copy


def try_repo(
    project: Path, hook_repository: Path, environment: dict[str, str], *hooks: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRE_COMMIT or "pre-commit", "try-repo", str(hook_repository), *hooks, "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def test_hook_fails_on_pin001_and_passes_once_fixed(
    tmp_path: Path, hook_repository: Path, environment: dict[str, str]
) -> None:
    (tmp_path / "buggy.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text(CLEAN)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "buggy.py", "clean.py")

    failing = try_repo(tmp_path, hook_repository, environment, "paraminit")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "buggy.py:8:36: PIN001" in failing.stdout
    assert "clean.py:" not in failing.stdout

    # fix it with the installed paraminit, then both hooks (check and fix) pass
    fixing = subprocess.run(["paraminit", "check", "--no-cache", "--fix", "--unsafe-fixes", "buggy.py"], cwd=tmp_path)
    assert fixing.returncode == 0
    git(tmp_path, "add", "buggy.py")
    passing = try_repo(tmp_path, hook_repository, environment)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.count("Passed") == 2


FENCED_YAML = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_config(marker: str) -> str:
    """The one pre-commit configuration in the README's fenced yaml blocks that contains ``marker``."""
    blocks = [block for block in FENCED_YAML.findall(README.read_text(encoding="utf-8")) if marker in block]
    assert len(blocks) == 1, f"README.md should show exactly one pre-commit config with {marker!r}: {blocks}"
    return blocks[0]


def project_with(tmp_path: Path, config: str, **files: str) -> Path:
    """A fresh git repository holding ``config`` as its ``.pre-commit-config.yaml`` and ``files``, staged."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / ".pre-commit-config.yaml").write_text(config)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    return tmp_path


def run_all_files(project: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRE_COMMIT or "pre-commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def test_readme_local_hook_is_the_published_hook() -> None:
    published = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = yaml.safe_load(readme_config("repo: local"))["repos"]
    assert repo["repo"] == "local"
    for hook in repo["hooks"]:
        assert hook["id"] in published, f"README's local hook {hook['id']!r} is not in .pre-commit-hooks.yaml"
        for key in ("entry", "types_or"):
            assert hook[key] == published[hook["id"]][key], f"README's local hook {hook['id']!r}: {key}"


def test_readme_local_config_fails_on_pin001_and_passes_clean_files(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    config = readme_config("repo: local")
    bad = project_with(tmp_path / "bad", config, **{"buggy.py": BUGGY, "clean.py": CLEAN})
    failing = run_all_files(bad, environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "buggy.py:8:36: PIN001" in failing.stdout
    assert "clean.py:" not in failing.stdout

    passing = run_all_files(project_with(tmp_path / "good", config, **{"clean.py": CLEAN}), environment)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


def test_readme_checkout_path_config_runs_the_hooks_at_a_commit(
    tmp_path: Path, hook_repository: Path, environment: dict[str, str]
) -> None:
    """``repo: /path/to/paraminit`` with ``rev:`` a commit sha: pre-commit builds its own venv from it."""
    sha = subprocess.run(
        [GIT or "git", "rev-parse", "HEAD"], cwd=hook_repository, check=True, capture_output=True, text=True
    ).stdout.strip()
    template = readme_config("repo: /path/to/paraminit")
    config = re.sub(r"rev: [0-9a-f]{40}", f"rev: {sha}", template.replace("/path/to/paraminit", str(hook_repository)))
    assert sha in config and str(hook_repository) in config
    project = project_with(tmp_path, config, **{"buggy.py": BUGGY, "clean.py": CLEAN})
    failing = run_all_files(project, environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "buggy.py:8:36: PIN001" in failing.stdout
    assert "clean.py:" not in failing.stdout
