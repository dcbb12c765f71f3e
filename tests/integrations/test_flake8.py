"""The real ``flake8`` with the installed plugin: same codes and positions as ``paraminit check``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLAKE8 = shutil.which("flake8")
PARAMINIT = shutil.which("paraminit")
pytestmark = pytest.mark.skipif(FLAKE8 is None or PARAMINIT is None, reason="flake8 and paraminit must be installed")

MODEL = """\
import torch
from torch import nn

a = torch.FloatTensor(2, 2)
print(a)


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self.bias = nn.Parameter(torch.empty(n))  # noqa: PIN001

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)


class Custom(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))

    def setup_weights(self):
        nn.init.normal_(self.weight)
"""


def flake8(cwd: Path, *args: str) -> list[str]:
    done = subprocess.run([FLAKE8 or "flake8", "--isolated", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines()


def paraminit(cwd: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [PARAMINIT or "paraminit", "check", "--no-cache", "--output-format", "concise", "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    return [line.replace(" [*] ", " ") for line in done.stdout.splitlines()]  # flake8 does not fix


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def test_same_findings_codes_and_positions_as_paraminit(project: Path) -> None:
    reported = flake8(project, "--select", "PIN", "model.py")
    assert reported == paraminit(project, "model.py")
    assert [line.split(" ")[:2] for line in reported] == [
        ["model.py:4:5:", "PIN002"],
        ["model.py:11:36:", "PIN003"],
    ]


def test_flake8_selection_and_noqa_decide(project: Path) -> None:
    assert [line.split(" ")[1] for line in flake8(project, "--select", "PIN", "--ignore", "PIN003", "model.py")] == [
        "PIN002"
    ]
    assert flake8(project, "--select", "PIN002", "model.py") == flake8(project, "--select", "PIN", "model.py")[:1]


def test_analysis_options_come_from_the_files_paraminit_settings(project: Path) -> None:
    # by default setup_weights is an ordinary method, whose writes count; named as an
    # initializer, it is one that construction never calls
    (project / "pyproject.toml").write_text('[tool.paraminit]\ninitializer-methods = ["setup_weights"]\n')
    reported = flake8(project, "--select", "PIN", "model.py")
    assert reported == paraminit(project, "model.py")
    assert [line.split(" ")[:2] for line in reported][-1] == ["model.py:21:36:", "PIN003"]


@pytest.mark.parametrize("directive", ["# noqa: PIN0", "# noqa: E501,PIN00", "# noqa:PIN0"])
def test_a_noqa_code_prefix_suppresses_alike_in_both(tmp_path: Path, directive: str) -> None:
    source = MODEL.replace("a = torch.FloatTensor(2, 2)", "a = torch.FloatTensor(2, 2)  " + directive)
    (tmp_path / "model.py").write_text(source)
    reported = flake8(tmp_path, "--select", "PIN", "model.py")
    assert reported == paraminit(tmp_path, "model.py")
    assert reported and not any(line.startswith("model.py:4:") for line in reported)  # line 4's PIN002 is silenced


BASE = """\
from torch import nn


class ScaledBlock(nn.Module):
    def reset_parameters(self):
        nn.init.ones_(self.gamma)
        nn.init.zeros_(self.beta)
"""

BLOCK = """\
import torch
from torch import nn

from .base import ScaledBlock


class GatedBlock(ScaledBlock):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.empty(dim))
        self.beta = nn.Parameter(torch.empty(dim))
        self.gate = nn.Parameter(torch.empty(dim))
        self.reset_parameters()
"""


def test_a_base_in_another_file_counts_on_disk_and_from_stdin(tmp_path: Path) -> None:
    """The base's initializer (a relative import) writes gamma and beta, not gate; an editor
    piping its unsaved buffer to ``flake8 -`` gets the same reading of the base on disk."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(BASE)
    (package / "block.py").write_text(BLOCK)
    reported = flake8(tmp_path, "--select", "PIN", "pkg/block.py")
    assert reported == paraminit(tmp_path, "pkg/block.py")
    assert [line.split(" ")[:2] for line in reported] == [["pkg/block.py:12:34:", "PIN001"]]
    unsaved = BLOCK.replace("        self.reset_parameters()\n", "")
    done = subprocess.run(
        [FLAKE8 or "flake8", "--isolated", "--select", "PIN", "--stdin-display-name", "pkg/block.py", "-"],
        cwd=tmp_path,
        input=unsaved,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert [line.split(" ")[:2] for line in done.stdout.splitlines()] == [
        ["pkg/block.py:10:35:", "PIN003"],
        ["pkg/block.py:11:34:", "PIN003"],
        ["pkg/block.py:12:34:", "PIN001"],
    ]
