"""Statistics of one tensor, fused into few whole-tensor reductions with bounded scratch memory.

One call computes everything every check needs: non-finite count, min/max over finite values,
mean and std, subnormal count and the largest magnitude.  Floats are reduced in fp32 (half and
bfloat16 are upcast one block at a time), so no float64 or full-size copy of a tensor is ever made:
extra memory is at most one block of ``BLOCK`` elements (plus its boolean masks).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Iterator

import torch

BLOCK = 1 << 24  # elements per block: 64 MiB of fp32 scratch at most
# Counting subnormals takes five passes (abs, two compares, and, count), four times the rest of the
# statistics.  Raw memory holds them densely, so blocks above SUBNORMAL_PROBE_ABOVE elements are first
# probed at every SUBNORMAL_PROBE_STRIDE-th element and counted in full only when the probe finds one;
# a lone subnormal in a large, otherwise healthy tensor can therefore go unreported.
SUBNORMAL_PROBE_ABOVE = 1 << 20
SUBNORMAL_PROBE_STRIDE = 64
# Below this many elements per module, reductions run on one thread: thread fork/join costs more
# than the work, and on a busy machine spinning OpenMP threads made a 1 MB reduction 500x slower.
SINGLE_THREAD_BELOW = 1 << 26


@contextlib.contextmanager
def reduction_threads(numel: int) -> Iterator[None]:
    """One intra-op thread for small workloads, restored afterwards."""
    threads = torch.get_num_threads()
    if numel >= SINGLE_THREAD_BELOW or threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class TensorStats:
    numel: int
    nonfinite: int
    subnormal: int
    mean: float
    std: float
    min: float  # over finite values; nan when there are none
    max: float

    @property
    def finite(self) -> int:
        return self.numel - self.nonfinite


def _blocks(tensor: torch.Tensor):
    flat = tensor.detach().reshape(-1)
    for start in range(0, flat.numel(), BLOCK):
        block = flat[start : start + BLOCK]
        yield block if block.dtype in (torch.float32, torch.float64) else block.float()


def tensor_stats(tensor: torch.Tensor) -> TensorStats:
    """Statistics of a real floating-point tensor; non-finite elements are left out of mean/std/min/max."""
    tiny = torch.finfo(tensor.dtype).tiny
    count = nonfinite = subnormal = 0
    total = squares = 0.0
    low, high = math.inf, -math.inf
    for block in _blocks(tensor):
        block_low, block_high = (float(v) for v in torch.aminmax(block))
        block_sum = float(block.sum())
        if not math.isfinite(block_sum) or not math.isfinite(block_low) or not math.isfinite(block_high):
            finite = torch.isfinite(block)
            nonfinite += block.numel() - int(finite.sum())
            block = block[finite]
            if block.numel() == 0:
                continue
            block_low, block_high = (float(v) for v in torch.aminmax(block))
            block_sum = float(block.sum())
        count += block.numel()
        total += block_sum
        squares += float(torch.dot(block, block))
        low, high = min(low, block_low), max(high, block_high)
        if _may_hold_subnormals(block_low, block_high, tiny):
            probe = block[::SUBNORMAL_PROBE_STRIDE] if block.numel() > SUBNORMAL_PROBE_ABOVE else block
            found = _count_subnormal(probe, tiny)
            subnormal += _count_subnormal(block, tiny) if found and probe is not block else found
    if count == 0:
        return TensorStats(tensor.numel(), nonfinite, 0, math.nan, math.nan, math.nan, math.nan)
    mean = total / count
    variance = max(squares / count - mean * mean, 0.0)
    if low == high:
        variance = 0.0
    return TensorStats(tensor.numel(), nonfinite, subnormal, mean, math.sqrt(variance), low, high)


def _count_subnormal(block: torch.Tensor, tiny: float) -> int:
    magnitude = block.abs()
    return int(torch.count_nonzero((magnitude < tiny) & (magnitude > 0)))


def _may_hold_subnormals(low: float, high: float, tiny: float) -> bool:
    """Only a block with values in (-tiny, tiny) can hold subnormals; most weights straddle zero."""
    return low < tiny and high > -tiny


def histogram(tensor: torch.Tensor, low: float, high: float, bins: int = 8) -> list[int]:
    """Counts of finite values in ``bins`` equal bins over [low, high]."""
    counts = torch.zeros(bins, dtype=torch.int64)
    if not (math.isfinite(low) and math.isfinite(high)):
        return counts.tolist()
    if low == high:
        high = low + 1.0
    for block in _blocks(tensor):
        block = block[torch.isfinite(block)]
        counts += torch.histc(block, bins=bins, min=low, max=high).to(torch.int64)
    return counts.tolist()
