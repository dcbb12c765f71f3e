"""The fused chunked statistics against a plain float64 computation of the same numbers.

Small ``chunk`` sizes force many chunks (and chunks that split a tensor unevenly), so the
combination of partial results is exercised on tensors that fit in a test.
"""

from __future__ import annotations

import math

import pytest
import torch

from pytest_paraminit.stats import histogram, tensor_stats


def reference(tensor: torch.Tensor, unit_dim: int = 0) -> dict:
    values = tensor.detach().double().reshape(-1)
    finite = values[torch.isfinite(values)]
    tiny = torch.finfo(tensor.dtype).tiny
    result = {
        "nonfinite": values.numel() - finite.numel(),
        "subnormal": int(((finite.abs() < tiny) & (finite != 0)).sum()),
    }
    if finite.numel():
        result.update(mean=float(finite.mean()), std=float(finite.std(unbiased=False)),
                      min=float(finite.min()), max=float(finite.max()),
                      root_sum_square=float(finite.square().sum().sqrt()))
    if tensor.dim() >= 2 and not result["nonfinite"]:
        result["unit_sums"] = tensor.detach().double().movedim(unit_dim, 0).reshape(tensor.shape[unit_dim], -1).sum(1)
    return result


def assert_matches(tensor: torch.Tensor, unit_dim: int = 0, chunk: int = 7) -> None:
    stats, expected = tensor_stats(tensor, unit_dim, chunk=chunk), reference(tensor, unit_dim)
    assert stats.numel == tensor.numel()
    assert stats.nonfinite == expected["nonfinite"]
    assert stats.subnormal == expected["subnormal"]
    if "mean" in expected:
        scale = max(abs(expected["mean"]), expected["std"], 1e-30)
        assert stats.mean == pytest.approx(expected["mean"], abs=1e-5 * scale)
        assert stats.std == pytest.approx(expected["std"], rel=1e-4, abs=1e-5 * scale)
        assert (stats.min, stats.max) == (expected["min"], expected["max"])
        assert stats.root_sum_square == pytest.approx(expected["root_sum_square"], rel=1e-5)
    else:
        assert math.isnan(stats.mean) and math.isnan(stats.min) and math.isnan(stats.max)
    if "unit_sums" in expected:
        assert torch.allclose(stats.unit_sums.double(), expected["unit_sums"], rtol=1e-4, atol=1e-4)
    else:
        assert stats.unit_sums is None


def randn(*shape, dtype=torch.float32, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 18])
@pytest.mark.parametrize("shape", [(), (1,), (13,), (5, 3), (9, 4, 3, 3), (1, 40), (40, 1)])
def test_matches_float64_for_every_chunking(shape, chunk):
    assert_matches(randn(*shape) * 0.3 + 0.1, chunk=chunk)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_other_float_dtypes(dtype):
    assert_matches(randn(17, 6, dtype=dtype))


def test_units_along_the_last_dimension():
    """GPT-2's Conv1D stores output units as columns; middle dimensions are reduced too."""
    assert_matches(randn(6, 11), unit_dim=1)
    assert_matches(randn(4, 5, 3), unit_dim=2)
    assert_matches(randn(4, 5, 3), unit_dim=1)


def test_non_contiguous_tensor():
    assert_matches(randn(12, 9).t())
    assert_matches(randn(12, 9)[:, ::2], chunk=1 << 18)


def test_non_finite_values_are_counted_and_left_out():
    tensor = randn(8, 5)
    tensor[1, 2], tensor[6, 0], tensor[7, 4] = math.nan, math.inf, -math.inf
    assert_matches(tensor)
    assert_matches(torch.full((3, 3), math.nan))


def test_overflowing_squares_take_the_exact_path():
    stats = tensor_stats(randn(4, 4) * 1e30)  # finite, but Σx² overflows fp32
    assert (stats.nonfinite, stats.unit_sums) == (0, None)  # no duplicate-units keys on this path
    assert_matches(randn(16) * 1e30)


def test_subnormals_are_counted():
    tensor = randn(10, 10)
    tensor[3, 3] = 1e-40
    tensor[5, 1] = -3e-42
    assert_matches(tensor)


def test_a_large_tensor_full_of_raw_memory_subnormals_is_found_by_the_probe():
    tensor = torch.full((1 << 21,), 1e-40)
    assert tensor_stats(tensor).subnormal == tensor.numel()


@pytest.mark.parametrize("value", [0.0, 1.0, -2.5, 1e-3])
def test_constant_tensors_have_zero_std_and_equal_extremes(value):
    tensor = torch.full((64, 33), value)
    stats, stored = tensor_stats(tensor, chunk=100), float(tensor[0, 0])
    assert (stats.std, stats.min, stats.max) == (0.0, stored, stored)


def test_nearly_constant_but_varied_tensor_is_not_constant():
    tensor = torch.ones(50, 50)
    tensor[10, 10] = 1.0001
    stats = tensor_stats(tensor)
    assert stats.min == 1.0 and stats.max == pytest.approx(1.0001) and stats.min != stats.max


def test_magnitude_bound_is_settled_without_and_with_extremes():
    small = tensor_stats(randn(100, 100) * 0.01)
    assert small.extremes is None and not small.magnitude_exceeds(1e4)
    assert small.extremes is None, "√Σx² ≤ limit should settle it without reading min/max"
    spiky = randn(100, 100) * 0.01
    spiky[50, 50] = 3e4
    assert tensor_stats(spiky).magnitude_exceeds(1e4)
    assert not tensor_stats(torch.full((100, 100), 200.0)).magnitude_exceeds(1e4)


def test_histogram_counts_every_finite_value_once():
    tensor = randn(300, 7)
    tensor[0, 0] = math.nan
    stats = tensor_stats(tensor)
    assert sum(histogram(tensor, stats.min, stats.max)) == tensor.numel() - 1
