"""Batched statistics give the answers of one ``tensor_stats`` pass per tensor, on the cases that are hard to get right.

Every question a check asks, and every number a report shows, is compared with ``tensor_stats`` of
the same tensor on one thread (as ``check_module`` runs it), for tensors batched together with others.
"""

from __future__ import annotations

import math

import pytest
import torch

from pytest_paraminit.batched import BatchedStats, batched_stats
from pytest_paraminit.checks import PARAMETER_CHECKS, Subject
from pytest_paraminit.roles import Kind, Role
from pytest_paraminit.stats import tensor_stats
from pytest_paraminit.threads import one_thread


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def hard_cases() -> list[tuple[str, torch.Tensor, int]]:
    g = generator(7)
    rows = torch.randn(1, 48, generator=g) * 0.1
    cases = [
        ("kaiming", torch.empty(64, 48).uniform_(-0.14, 0.14, generator=g), 0),
        ("embedding", torch.randn(100, 16, generator=g), 0),
        ("zeros", torch.zeros(16, 16), 0),
        ("ones", torch.ones(4096), 0),
        ("constant 0.1 over 4096", torch.full((64, 64), 0.1), 0),
        ("constant 0.1 over 256", torch.full((16, 16), 0.1), 0),
        ("signed zeros", torch.tensor([[0.0, -0.0, 1.5], [2.0, -0.0, 0.0]]), 0),
        ("negative zero minimum", torch.tensor([[-0.0, 1.0], [2.0, 3.0]]), 0),
        ("repeated rows", rows.repeat(16, 1), 0),
        ("some rows copied", torch.cat([torch.randn(8, 32, generator=g)] * 2), 0),
        ("rows equal but for -0.0", torch.tensor([[0.0, 1.0], [-0.0, 1.0], [3.0, 4.0]]), 0),
        ("equal row sums, different rows", torch.tensor([[1.0, 2.0], [2.0, 1.0], [0.5, 2.5]]), 0),
        ("units along dim 1", torch.randn(32, 8, generator=g).repeat(1, 2), 1),
        ("mean far above std", torch.randn(64, 64, generator=g) * 1e-3 + 1.0, 0),
        ("subnormal", torch.randn(8, 8, generator=g) * 1e-40, 0),
        ("one NaN", torch.randn(8, 8, generator=g).index_fill_(0, torch.tensor([3]), float("nan")), 0),
        ("inf", torch.full((3, 3), float("inf")), 0),
        ("huge", torch.randn(16, 16, generator=g) * 1e6, 0),
        ("near fp32 overflow of the sum of squares", torch.full((2, 64), 3e18), 0),
        ("largest just above 20", torch.tensor([20.0001, 1.0, -3.0]), 0),
        ("half", (torch.randn(32, 32, generator=g) * 0.05).half(), 0),
        ("bfloat16", (torch.randn(32, 32, generator=g) * 0.05).bfloat16(), 0),
        ("float64", torch.randn(16, 16, generator=g, dtype=torch.float64), 0),
        ("one element", torch.tensor([0.7]), 0),
        ("scalar", torch.tensor(1e-5), 0),
        ("three dims", torch.randn(4, 3, 5, generator=g), 0),
    ]
    return cases + [(f"small {i}", torch.randn(4, generator=generator(i)) * 0.5, 0) for i in range(50)]


def _exact(tensor: torch.Tensor, unit_dim: int):
    with one_thread():
        return tensor_stats(tensor, unit_dim)


def test_batched_answers_are_those_of_tensor_stats():
    cases = hard_cases()
    with one_thread():
        found = batched_stats([(tensor, unit_dim) for _, tensor, unit_dim in cases])
    batched = 0
    for (name, tensor, unit_dim), stats in zip(cases, found):
        exact = _exact(tensor, unit_dim)
        batched += isinstance(stats, BatchedStats)
        numbers = ("numel", "nonfinite", "subnormal", "finite", "mean", "std", "min", "max", "root_sum_square")
        for number in numbers:
            mine, theirs = getattr(stats, number), getattr(exact, number)
            assert mine == theirs or (math.isnan(mine) and math.isnan(theirs)), (name, number)
            assert math.copysign(1, mine) == math.copysign(1, theirs), (name, number)  # -0.0 stays -0.0
        assert stats.is_constant() == exact.is_constant(), name
        assert stats.units_may_repeat or not exact.units_may_repeat or _no_duplicate_units(tensor, unit_dim), name
        for limit in (1e-3, 1.0, 20.0, 1e4):
            assert stats.magnitude_exceeds(limit) == exact.magnitude_exceeds(limit), (name, limit)
        std = exact.std
        for low, high in ((0.01, 8.0), (1e-3, 4.0), (std * 0.999, std * 2), (std / 2, std * 1.001), (std * 1.1, 9.0)):
            for factor in (1.0, 7.0):
                assert stats.std_within(low, high, factor) == exact.std_within(low, high, factor), (name, low, high)
    assert batched >= 60  # most of them went through the batch, not tensor_stats


def _no_duplicate_units(tensor: torch.Tensor, unit_dim: int) -> bool:
    units = tensor.movedim(unit_dim, 0).reshape(tensor.shape[unit_dim], -1)
    return torch.unique(units, dim=0).shape[0] == units.shape[0]


@pytest.mark.parametrize("kind", [Kind.WEIGHT, Kind.EMBEDDING, Kind.BIAS, Kind.GATE, Kind.UNKNOWN])
def test_every_check_finds_the_same_with_batched_statistics(kind):
    cases = hard_cases()
    with one_thread():
        found = batched_stats([(tensor, unit_dim) for _, tensor, unit_dim in cases])
    for (name, tensor, unit_dim), stats in zip(cases, found):
        fan_in = tensor[0].numel() if tensor.dim() >= 2 and kind == Kind.WEIGHT else None
        role = Role(kind, fan_in, unit_dim=unit_dim)
        mine = [check(Subject(name, tensor, role, stats)) for check in PARAMETER_CHECKS]
        theirs = [check(Subject(name, tensor, role, _exact(tensor, unit_dim))) for check in PARAMETER_CHECKS]
        assert mine == theirs, name


def test_batches_are_bounded_and_split_by_shape():
    tensors = [(torch.randn(8, 8, generator=generator(i)) * 0.1, 0) for i in range(5000)]  # 320 k elements
    tensors += [(torch.randn(8, 9, generator=generator(i)) * 0.1, 0) for i in range(3)]
    with one_thread():
        found = batched_stats(tensors)
    assert all(isinstance(stats, BatchedStats) for stats in found)
    for (tensor, unit_dim), stats in list(zip(tensors, found))[::997]:
        assert stats.std == _exact(tensor, unit_dim).std
