"""Statistics of many small tensors in one batched pass instead of a dozen small ops per tensor.

A model at test size has hundreds of parameters of a few thousand elements, and a module of tiny
parameters may have 100 k: there the per-tensor statistics (``stats.tensor_stats``, about 15 torch
calls) cost more than building the model.  Tensors of up to ``SMALL`` elements are stacked by dtype
and shape (layers repeat), about ``BATCH`` elements at a time, and reduced along rows in float64:
whether every element is finite and none subnormal, min and max (exact: no arithmetic), sum and sum of
squares, and each output unit's sum.

What this pass cannot give exactly it does not guess.  Mean, std, √Σx² and the unit sums that a report
shows or a check reads are those of ``tensor_stats``, computed for that tensor on first use.  Checks
ask questions instead (``is_constant``, ``std_within``, ``units_may_repeat``, ``magnitude_exceeds``),
which the batched numbers settle unless the answer lies within the rounding of ``tensor_stats``'s fp32
sums; so every verdict and every number shown is what one pass per tensor gives, to the bit.
A tensor with a non-finite or subnormal element gets ``tensor_stats`` at once.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch

from .stats import TensorStats, finite_extremes, tensor_stats
from .threads import one_thread

SMALL = 1 << 16  # elements: larger tensors amortize tensor_stats's per-call cost
BATCH = 1 << 18  # elements stacked at a time (2 MiB of float64)
_DTYPES = (torch.float32, torch.float16, torch.bfloat16, torch.float64)
# tensor_stats sums ≤ SMALL fp32 values; its std can differ from the float64 one by up to ~1 % when
# mean² ≤ variance (a worst-case bound on rounding).  Closer to a threshold, or with a larger mean,
# tensor_stats decides.
STD_MARGIN = 0.02
# n equal fp32 values sum with a relative error below 3·n·2⁻²⁴ ≤ 1e-4 (stats.NEAR_CONSTANT) up to this n
CONSTANT_SURE = 512
MAGNITUDE_MARGIN = 0.01  # √Σx² in fp32 may fall below max |x| by this much: near a limit, tensor_stats decides


class BatchedStats:
    """A small all-finite tensor's statistics from the batched pass; the rest from ``tensor_stats`` when asked."""

    nonfinite = 0
    subnormal = 0

    def __init__(self, tensor: torch.Tensor, unit_dim: int, low: float, high: float, total: float, squares: float,
                 distinct_units: bool | None) -> None:
        self.tensor = tensor
        self.unit_dim = unit_dim
        self.numel = tensor.numel()
        self._low, self._high = low, high
        mean = total / self.numel
        self._mean, self._variance = mean, max(squares / self.numel - mean * mean, 0.0)
        self._distinct_units = distinct_units  # None: not known (no units, or units along another dimension)
        self._exact: TensorStats | None = None
        self._extremes: tuple[float, float] | None = None

    def exact(self) -> TensorStats:
        """``tensor_stats`` of this tensor, on one thread as in ``check_module`` (sums round by the thread count)."""
        if self._exact is None:
            with one_thread():
                self._exact = tensor_stats(self.tensor, self.unit_dim)
        return self._exact

    # -- what the batched pass knows exactly ------------------------------------------------
    @property
    def finite(self) -> int:
        return self.numel

    @property
    def min(self) -> float:
        return self._extremes_exact()[0]

    @property
    def max(self) -> float:
        return self._extremes_exact()[1]

    def _extremes_exact(self) -> tuple[float, float]:
        if self._extremes is None:
            # a zero may be +0.0 or -0.0 depending on which one a reduction meets first
            if self._low == 0 or self._high == 0:
                with one_thread():
                    self._extremes = finite_extremes(self.tensor)
            else:
                self._extremes = (self._low, self._high)
        return self._extremes

    @property
    def largest(self) -> float:
        return max(abs(self._low), abs(self._high))

    # -- what tensor_stats computes ---------------------------------------------------------
    @property
    def mean(self) -> float:
        return self.exact().mean

    @property
    def std(self) -> float:
        return self.exact().std

    @property
    def root_sum_square(self) -> float:
        return self.exact().root_sum_square

    @property
    def unit_sums(self) -> torch.Tensor | None:
        return self.exact().unit_sums

    # -- questions the checks ask ------------------------------------------------------------
    def magnitude_exceeds(self, limit: float) -> bool:
        if self.largest <= limit:
            return False
        if self.largest > limit * (1 + MAGNITUDE_MARGIN):
            return True
        return self.exact().magnitude_exceeds(limit)

    def is_constant(self) -> bool:
        return self._low == self._high and (self._sums_exact() or self.exact().is_constant())

    def _sums_exact(self) -> bool:
        """Whether ``tensor_stats`` surely finds this constant tensor's variance 0: its fp32 sums are exact
        (0 or a power of two), or too short to err by the 1e-4 that decides near-constant tensors."""
        mantissa, exponent = math.frexp(abs(self._low))
        return self._low == 0 or self.numel <= CONSTANT_SURE or (mantissa == 0.5 and abs(exponent) < 60)

    def std_within(self, low: float, high: float, factor: float = 1.0) -> bool:
        estimate = math.sqrt(self._variance) * factor
        settled = self._mean * self._mean <= self._variance and all(
            abs(estimate - edge) > STD_MARGIN * edge for edge in (low, high))
        return low <= estimate <= high if settled else self.exact().std_within(low, high, factor)

    @property
    def units_may_repeat(self) -> bool:
        return self.exact().units_may_repeat if self._distinct_units is None else not self._distinct_units


def batched_stats(subjects: Sequence[tuple[torch.Tensor, int]], unfilled=None) -> list[TensorStats | BatchedStats]:
    """Statistics of each (tensor, unit dimension); small ones batched by dtype and shape, the others one by one.

    ``unfilled`` (``capture.WriteTracker.unfilled``) gives the written record of a tensor whose never-written
    elements were not NaN-filled; its statistics leave them out."""
    found: list[TensorStats | BatchedStats | None] = [None] * len(subjects)
    groups: dict[tuple, list[int]] = {}
    records = [unfilled(tensor) if unfilled is not None else None for tensor, _ in subjects]
    for index, (tensor, unit_dim) in enumerate(subjects):
        if records[index] is None and 0 < tensor.numel() <= SMALL and tensor.dtype in _DTYPES and tensor.device.type == "cpu":
            groups.setdefault((tensor.dtype, tensor.shape, unit_dim == 0), []).append(index)
    with torch.no_grad():
        for (dtype, shape, units_first), members in groups.items():
            step = max(1, BATCH // shape.numel())
            for start in range(0, len(members), step):
                batch = members[start : start + step]
                tensors = [subjects[index][0] for index in batch]
                rows = shape[0] if len(shape) >= 2 and units_first else None
                for index, stats in zip(batch, _batch(tensors, subjects[batch[0]][1], rows, torch.finfo(dtype).tiny)):
                    found[index] = stats
    return [stats if stats is not None else tensor_stats(tensor, unit_dim, written=record)
            for stats, (tensor, unit_dim), record in zip(found, subjects, records)]


def _batch(tensors: list[torch.Tensor], unit_dim: int, rows: int | None, tiny: float) -> list[BatchedStats | None]:
    """One pass over tensors of one dtype and shape (``rows`` units along dim 0, if they have units there);
    ``None`` for a tensor that ``tensor_stats`` must take (a non-finite or subnormal element, fp32 overflow)."""
    values = torch.stack(tensors).reshape(len(tensors), -1).to(torch.float64)
    unit_sums = values.reshape(len(tensors) * (rows or 1), -1).sum(1).reshape(len(tensors), -1)
    totals = unit_sums.sum(1)
    squares = (values * values).sum(1)
    lows, highs = values.amin(1), values.amax(1)
    magnitude = values.abs()
    small = magnitude < tiny  # zeros and subnormals
    subnormal = (small & (magnitude > 0)).any(1) if bool(small.any()) else torch.zeros(len(tensors), dtype=torch.bool)
    # sums of finite values are finite; near fp32's range tensor_stats's Σx² overflows and it takes another path
    usable = torch.isfinite(totals) & (squares < 1e38) & ~subnormal
    if rows is None:
        distinct = [None] * len(tensors)
    else:
        ordered = unit_sums.sort(1).values
        distinct = (~(ordered[:, 1:] == ordered[:, :-1]).any(1)).tolist()  # units with equal values have equal sums
    return [
        BatchedStats(tensor, unit_dim, low, high, total, square, units) if ok else None
        for tensor, ok, low, high, total, square, units in zip(
            tensors, usable.tolist(), lows.tolist(), highs.tolist(), totals.tolist(), squares.tolist(), distinct)
    ]
