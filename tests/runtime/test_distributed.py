"""The checks under a real ``torchrun --nproc_per_node 2`` (gloo, CPU), each launch a bounded subprocess.

The scenarios live in ``distributed_scenarios.py``; one launch runs all that leave the group usable,
another has a rank that never joins.  Every rank must report the same verdicts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.distributed.is_available() or shutil.which("torchrun") is None
                                and not (Path(sys.executable).parent / "torchrun").exists(),
                                reason="torch.distributed or torchrun missing")

SCENARIOS = Path(__file__).with_name("distributed_scenarios.py")
WORLD = 2


def _launch(tmp_path: Path, scenario: str, timeout: int = 150, **env: str) -> list[dict]:
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
    run = subprocess.run(
        [torchrun, "--nproc_per_node", str(WORLD), "--standalone", str(SCENARIOS), str(tmp_path), scenario],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "OMP_NUM_THREADS": "1", **env},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return [json.loads((tmp_path / f"rank{rank}.json").read_text(encoding="utf-8")) for rank in range(WORLD)]


@pytest.fixture(scope="module")
def checks(tmp_path_factory) -> list[dict]:
    return _launch(tmp_path_factory.mktemp("checks"), "checks")


def test_every_rank_reports_the_same_verdicts(checks):
    zero, one = checks
    assert zero == {**one, "raw_on_rank_1_json": zero["raw_on_rank_1_json"]}  # timings differ
    assert {**zero["raw_on_rank_1_json"], "seconds": 0} == {**one["raw_on_rank_1_json"], "seconds": 0}


def test_a_correctly_initialized_fsdp2_model_is_silent(checks):
    assert checks[0]["healthy"] == []
    assert "head.weight           10×32" in checks[0]["healthy_render"]  # global shapes, not shards


def test_a_parameter_no_rank_initializes_is_caught_on_every_rank(checks):
    assert checks[0]["never_initialized"] == [
        ["uninitialized", "embed", "2048 of 2048 elements never written (on ranks 0, 1: 100 % of elements)"]]


def test_a_parameter_only_rank_1_leaves_raw_is_attributed_to_rank_1(checks):
    assert checks[0]["raw_on_rank_1"] == [
        ["uninitialized", "head.weight", "160 of 320 elements never written (on rank 1: 50 % of elements)"],
        ["uninitialized", "head.bias", "5 of 10 elements never written (on rank 1: 50 % of elements)"],
    ]
    finding = next(f for f in checks[0]["raw_on_rank_1_json"]["findings"] if f["name"] == "head.weight")
    assert finding["site"] == "Tower.init_weights() does not cover it (owner: Linear)"  # not FSDP2's FSDPTower


def test_replicated_parameters_seeded_per_rank_diverge(checks):
    from pytest_paraminit.findings import DISTRIBUTED_CHECKS

    found = checks[0]["seeded_per_rank"] + checks[0]["ddp_reinitialized"]
    assert [(check, name) for check, name, _ in found] == [
        ("rank-divergence", "table"), ("rank-divergence", "module.1.weight"), ("rank-divergence", "module.1.bias")]
    assert all(measured.startswith("max |Δ| = ") and measured.endswith("from rank 0's copy on rank 1")
               for _, _, measured in found)
    assert {check for check, _, _ in found} == DISTRIBUTED_CHECKS


def test_plain_layers_outside_ddp_may_differ_by_rank(checks):
    """Each rank's own copy: DDP syncs it when it wraps it, a hand-written tensor-parallel layer holds shards."""
    assert checks[0]["seeded_per_rank"] == checks[0]["seeded_per_rank"][:1]
    assert checks[0]["plain_per_rank"] == []


def test_a_rank_whose_constructor_raises_fails_every_rank(checks):
    for rank in checks:
        assert rank["raises_on_rank_1"] == [["error", "on rank 1: constructor raised ValueError: width must be even"]]


def test_ranks_checking_different_models_is_an_error_on_every_rank(checks):
    for rank in checks:
        assert rank["different_models"].startswith(
            "the ranks check different models (rank 0: 2 parameters, rank 1: 4 parameters")


def test_dtensor_parameters_without_their_process_group_are_an_error(checks):
    for rank in checks:
        assert rank["no_process_group"] == ("embed is a DTensor but torch.distributed is not initialized: check it "
                                            "in the job that sharded it, before destroy_process_group()")


def test_a_rank_that_never_joins_is_a_timeout_error_not_a_hang(tmp_path):
    zero, one = _launch(tmp_path, "timeout", PARAMINIT_DIST_TIMEOUT="2")
    assert zero["timeout"].startswith("rank 0: the check's start (an all_gather) did not complete within 2 s "
                                      "(PARAMINIT_DIST_TIMEOUT)")
    assert zero["seconds"] < 6
    assert one == {}


SUITE = {
    "conftest.py": '''
import pytest
import torch.distributed as dist


@pytest.fixture(scope="session", autouse=True)
def process_group():
    dist.init_process_group("gloo")
    yield
    dist.destroy_process_group()
''',
    "test_models.py": '''
import torch
from torch import nn


class Raw(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)
        self.gate = nn.Parameter(torch.empty(8, 8))


def test_healthy():
    nn.Linear(8, 8)


def test_raw():
    Raw()
''',
}


def test_a_check_param_init_run_under_torchrun_reports_once(tmp_path):
    for name, text in SUITE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
    run = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", str(WORLD), "--tee", "3", "-m", "pytest", "-p",
         "no:cacheprovider", "-q", "--check-param-init", "--param-init-report", "report.json"],
        capture_output=True, text=True, timeout=150, cwd=tmp_path, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert run.returncode != 0
    ranks = {rank: [line.split(":", 1)[1] for line in run.stdout.splitlines() if line.startswith(f"[default{rank}]:")]
             for rank in range(WORLD)}
    zero, one = ("\n".join(lines) for lines in ranks.values())
    assert "1 passed" in zero and "1 failed" in zero and "1 passed" in one and "1 failed" in one
    # once in the failure; under CI=true pytest's short summary repeats the whole message, so it is left out
    failures = zero.split("short test summary info")[0]
    assert failures.count("[uninitialized] gate: 64 of 64 elements never written (on ranks 0, 1)") == 1
    assert "= paraminit =" in zero and "= paraminit =" not in one
    assert "checked 2 modules, 5 parameters: 1 finding (uninitialized: 1) in 1 test" in zero
    assert "[uninitialized]" not in one and "checked 2 modules" not in one
    assert "paraminit: Raw built at" in one and "1 finding; the report is on rank 0" in one
    assert sorted(path.name for path in tmp_path.glob("report.json*")) == ["report.json"]
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["reports"]


@pytest.mark.parametrize("all_ranks", [None, "--param-init-all-ranks", "ini"])
def test_ranks_other_than_0_point_to_rank_0_unless_all_ranks(pytester, monkeypatch, all_ranks):
    """Rank 1 of a job (``RANK=1`` as torchrun sets it; one process, no group needed for plain modules)."""
    monkeypatch.setenv("RANK", "1")
    pytester.makepyfile(test_raw="""
        import torch
        from torch import nn

        def test_raw():
            class Raw(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.gate = nn.Parameter(torch.empty(4, 4))
            Raw()
    """)
    if all_ranks == "ini":
        pytester.makeini("[pytest]\nparam_init_all_ranks = true\n")
    flags = ["--check-param-init", "--param-init-report", "report.json", "-p", "no:cacheprovider"]
    result = pytester.runpytest_subprocess(*flags, *([all_ranks] if all_ranks == "--param-init-all-ranks" else []))
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    files = sorted(path.name for path in pytester.path.glob("report.json*"))
    if all_ranks is None:
        assert "1 finding; the report is on rank 0" in text and "[uninitialized]" not in text
        assert "= paraminit =" not in text and files == []
    else:
        assert "[uninitialized] gate: 16 of 16 elements never written" in text and "= paraminit =" in text
        assert files == ["report.json.rank1"]
