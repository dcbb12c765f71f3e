"""Scenarios that test_distributed.py runs under ``torchrun --nproc_per_node 2`` (gloo, CPU).

    torchrun --nproc_per_node 2 distributed_scenarios.py OUT_DIR checks|timeout

Each rank writes what it saw to OUT_DIR/rank<N>.json: per scenario, each failing finding as
``[check, name, measured]`` or the error raised.  ``checks`` runs the checks' scenarios and the bad
input the ranks can recover from; ``timeout`` has rank 1 never join the check.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.tensor import Replicate, distribute_tensor
from torch.nn.parallel import DistributedDataParallel

from pytest_paraminit import build_and_check, build_deferred_and_check, check_module
from pytest_paraminit.distributed import DistributedCheckError


class Block(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, width)


class Tower(nn.Module):
    """A small transformer-like stack with torchtitan's ``init_weights``."""

    def __init__(self, width: int = 32, depth: int = 2, skip_on_rank: int | None = None) -> None:
        super().__init__()
        self.embed = nn.Parameter(torch.empty(64, width))
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.head = nn.Linear(width, 10)
        self.skip_on_rank = skip_on_rank

    def init_weights(self) -> None:
        nn.init.normal_(self.embed, std=0.02)
        for block in self.blocks:
            block.norm.reset_parameters()
            block.proj.reset_parameters()
        if self.skip_on_rank is None or dist.get_rank() != self.skip_on_rank:
            self.head.reset_parameters()


class NeverInitialized(Tower):
    def init_weights(self) -> None:  # forgets the embedding on every rank
        for block in self.blocks:
            block.norm.reset_parameters()
            block.proj.reset_parameters()
        self.head.reset_parameters()


def shard(model: nn.Module) -> None:
    for block in model.blocks:
        fully_shard(block)
    fully_shard(model)


class SeededPerRank(nn.Module):
    """A replicated DTensor drawn with each rank's own seed (and a plain layer, each rank's own)."""

    def __init__(self) -> None:
        super().__init__()
        mesh = init_device_mesh("cpu", (dist.get_world_size(),))
        torch.manual_seed(dist.get_rank())
        self.table = nn.Parameter(distribute_tensor(torch.randn(16, 8) * 0.02, mesh, [Replicate()],
                                                    src_data_rank=None))
        self.proj = nn.Linear(8, 8)


def reinitialized_after_ddp() -> nn.Module:
    """DDP broadcasts rank 0's values when it wraps; re-initializing afterwards with a per-rank seed undoes that."""
    model = DistributedDataParallel(nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 2)))
    torch.manual_seed(dist.get_rank())
    model.module[1].reset_parameters()
    return model


class RaisesOnRankOne(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        if dist.get_rank() == 1:
            raise ValueError("width must be even")
        self.proj = nn.Linear(8, 8)


def failing(report) -> list:
    if report.error:
        return [["error", report.error]]
    return [[str(f.check), f.name, f.measured] for f in report.failures]


def checks() -> dict:
    seen = {}
    _, report = build_deferred_and_check(Tower, initialize="init_weights", shard=shard)
    seen["healthy"] = failing(report)
    seen["healthy_render"] = report.render()
    _, report = build_deferred_and_check(NeverInitialized, initialize="init_weights", shard=shard)
    seen["never_initialized"] = failing(report)
    _, report = build_deferred_and_check(Tower, skip_on_rank=1, initialize="init_weights", shard=shard)
    seen["raw_on_rank_1"] = failing(report)
    seen["raw_on_rank_1_render"] = report.render()
    seen["raw_on_rank_1_json"] = report.to_json()
    torch.manual_seed(0)
    _, report = build_and_check(SeededPerRank)
    seen["seeded_per_rank"] = failing(report)
    seen["plain_per_rank"] = failing(check_module(nn.Linear(8, 8)))  # seeded per rank above: not a finding
    seen["ddp_reinitialized"] = failing(check_module(reinitialized_after_ddp()))
    _, report = build_and_check(RaisesOnRankOne)
    seen["raises_on_rank_1"] = failing(report)
    model = nn.Linear(8, 8) if dist.get_rank() == 0 else nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 8))
    try:
        check_module(model)
        seen["different_models"] = "no error"
    except DistributedCheckError as error:
        seen["different_models"] = str(error)
    return seen


def never_joins() -> dict:
    if dist.get_rank() == 1:
        time.sleep(8)  # runs other code while rank 0 checks
        return {}
    start = time.monotonic()
    try:
        check_module(nn.Linear(8, 8))
        return {"timeout": "no error"}
    except DistributedCheckError as error:
        return {"timeout": str(error), "seconds": time.monotonic() - start}


def main() -> None:
    out, scenario = Path(sys.argv[1]), sys.argv[2]
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    seen = {"checks": checks, "timeout": never_joins}[scenario]()
    if scenario == "checks":
        sharded, _ = build_deferred_and_check(Tower, initialize="init_weights", shard=shard)
        dist.destroy_process_group()
        try:  # its DTensor parameters without their process group
            check_module(sharded)
            seen["no_process_group"] = "no error"
        except DistributedCheckError as error:
            seen["no_process_group"] = str(error)
    (out / f"rank{rank}.json").write_text(json.dumps(seen, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
