"""The fast path on mutated real model files: the bounded, seeded sample of ``bench/fuzz.py``.

The full harness (10,000 mutants of torch/nn and the real-world trees) runs by hand; this
runs the same mutation and comparison on a fixed sample of torch's own nn modules, so CI
sees a prefilter change that loses or invents a finding on code its corpus does not hold.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"


def _fuzz():
    spec = importlib.util.spec_from_file_location("paraminit_bench_fuzz", FUZZ)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz()
pytestmark = pytest.mark.skipif(not fuzz.sources(realworld=False), reason="torch is not installed")


def test_the_sample_is_the_same_on_every_run():
    files = fuzz.sources(realworld=False)
    first, second = fuzz.jobs(files, 5, seed=18), fuzz.jobs(files, 5, seed=18)
    assert first == second
    path, _, seed = first[0]
    text = Path(path).read_text(encoding="utf-8")
    assert fuzz.mutate(text, fuzz.random.Random(seed)) == fuzz.mutate(text, fuzz.random.Random(seed)) != text


def test_a_disagreement_is_reported_by_shape_and_fails_the_run(tmp_path: Path):
    """The harness compares findings, not files: a mutant the full parse flags and a path
    misses shows as ``<path> misses CODE``; the command exits 1 and keeps the mutant."""
    source = "import torch\nw = torch.FloatTensor(3)\nprint(w.sum())\n"
    outcome = fuzz.compare("case", source)
    assert outcome.parses and outcome.shape == frozenset()
    missing = fuzz.Outcome("case", True, frozenset({("fast misses", "PIN002")}), source)
    fuzz.WORK = tmp_path
    assert fuzz.report([missing, outcome], 0.0) == 1
    assert (tmp_path / "case.py").read_text() == source


def test_mutants_of_torch_nn_give_the_same_findings_on_every_path():
    run = subprocess.run([sys.executable, str(FUZZ), "--quick"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    counts = re.match(r"(\d+) mutants, (\d+) parse", run.stdout)
    assert counts is not None, run.stdout
    assert int(counts[2]) >= int(counts[1]) * 3 // 4  # a sample that mostly does not parse tests nothing
    assert "disagreements (fast or lsp vs full): 0\n" in run.stdout
