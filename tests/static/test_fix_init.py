"""The synthesized initialization (the unsafe fixes of PIN001 and PIN003), run with torch.

What the fixes write, text for text, is in the corpus (``corpus/PIN001/fix_*.py`` and their
``.fixed.py`` siblings, checked by ``test_corpus``); here the fixed module of
``fix_initialized_as_nn_linear_would`` is built with torch, and its parameters must hold the
values ``nn.Linear`` would give them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXED_MODEL = Path(__file__).parent / "corpus" / "PIN001" / "fix_initialized_as_nn_linear_would.fixed.py"

CHECK = """\
import math, sys, torch
sys.path.insert(0, sys.argv[1])
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
from model import Affine, Gate
affine = Affine(64, 32, (16, 16))
bound = 1 / math.sqrt(64)
assert affine.weight.abs().max() <= bound * 1.0001, "kaiming_uniform(a=sqrt(5)) gives +-1/sqrt(fan_in)"
assert affine.weight.std() > bound / 3
assert affine.bias.abs().max() <= bound and affine.bias.std() > 0
assert torch.equal(affine.scale, torch.ones(32))
assert affine.table.abs().max() <= 1 / math.sqrt(16) * 1.0001
assert torch.equal(Gate(5).weight, torch.eye(5))
print("ok")
"""


def test_fixed_modules_hold_the_values_nn_linear_would_give(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    shutil.copyfile(FIXED_MODEL, tmp_path / "model.py")
    done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
