"""PIN007 through the real ``paraminit`` command on packages laid out on disk: the initializer in
a base of another file, reached through a lazy ``__init__.py`` (star import under
``TYPE_CHECKING``, or an ``_import_structure`` table), and the unsafe fix."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXECUTABLE = shutil.which("paraminit")
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

BASE = """\
import torch
from torch import nn


class PreTrained(nn.Module):
    def post_init(self):
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(std=0.02)
"""
CLIP = """\
import math

import torch
from torch import nn

from ..core import PreTrained


class ClipModel(PreTrained):
    def __init__(self, dim):
        super().__init__()
        self.text_projection = nn.Linear(dim, dim, bias=False)
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        self.post_init()
"""
LAZY = {
    "star": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .modeling import *\nelse:\n    import sys\n",
    "table": '_import_structure = {"modeling": ["PreTrained"]}\n\nimport sys\n',
}
TRAIN = """\
import torch

from lib.models.clip import ClipModel

with torch.device("meta"):
    model = ClipModel(512)
model.to_empty(device="cpu")
model.post_init()
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXECUTABLE or "paraminit", *args], cwd=cwd, capture_output=True, text=True)


def layout(root: Path, lazy: str, train: bool = True) -> None:
    for directory in ("lib", "lib/core", "lib/models"):
        (root / directory).mkdir(parents=True, exist_ok=True)
        (root / directory / "__init__.py").write_text("", encoding="utf-8")
    (root / "lib/core/__init__.py").write_text(LAZY[lazy], encoding="utf-8")
    (root / "lib/core/modeling.py").write_text(BASE, encoding="utf-8")
    (root / "lib/models/clip.py").write_text(CLIP, encoding="utf-8")
    if train:
        (root / "train.py").write_text(TRAIN, encoding="utf-8")


@pytest.mark.parametrize("lazy", sorted(LAZY))
def test_initializer_in_a_base_behind_a_lazy_init_misses_logit_scale(tmp_path, lazy):
    layout(tmp_path, lazy)
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN007", "--output-format", "concise", "lib/models/clip.py")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == (
        "lib/models/clip.py:13:28: PIN007 Parameter `self.logit_scale` gets its value in `__init__`, but "
        "`PreTrained._init_weights` does not write it: after `to_empty()` it is raw memory"
    )


def test_the_base_writing_it_silences_pin007(tmp_path):
    layout(tmp_path, "star")
    modeling = tmp_path / "lib/core/modeling.py"
    modeling.write_text(BASE + "        if isinstance(module, PreTrained) and hasattr(module, 'logit_scale'):\n"
                        "            module.logit_scale.data.fill_(2.6592)\n", encoding="utf-8")
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN007", "lib/models/clip.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_project_that_never_builds_on_meta_gets_no_pin007(tmp_path):
    layout(tmp_path, "star", train=False)
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN007", "lib")
    assert done.returncode == 0 and "All checks passed!" in done.stdout, done.stdout + done.stderr


def test_unsafe_fix_repeats_the_value_in_the_initializer(tmp_path):
    (tmp_path / "model.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass Attention(nn.Module):\n"
        "    def __init__(self, dim):\n        super().__init__()\n        self.qkv = nn.Linear(dim, dim)\n"
        "        self.scale = nn.Parameter(torch.tensor(2.0))\n        self.gain = nn.Parameter(torch.ones(dim))\n\n"
        "    def init_weights(self):\n        nn.init.normal_(self.qkv.weight, std=0.02)\n\n\n"
        "def build():\n    with torch.device('meta'):\n        return Attention(8)\n",
        encoding="utf-8",
    )
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN007", "--fix", "--unsafe-fixes", "model.py")
    fixed = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "        with torch.no_grad():\n            self.scale.copy_(torch.tensor(2.0))\n" in fixed
    # torch.ones(dim) needs __init__'s argument: no fix, still reported
    assert done.returncode == 1 and "`self.gain`" in done.stdout and "`self.scale`" not in done.stdout, done.stdout
