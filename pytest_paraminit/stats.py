"""Statistics of one tensor in one fused pass over cache-sized chunks, with bounded scratch memory.

One pass computes what every check needs on every tensor: non-finite count, mean and std, the
sum of every output unit (for ``duplicate-units``) and √Σx², which bounds every magnitude.  The
tensor is walked in chunks of about ``CHUNK`` elements cut along its first dimension; the sum of
squares streams each chunk into L2 cache and the unit sums (which also give the total) read it from
there, so the pass costs about 1.5 plain reductions (``bench/runtime.py``).  Min and max cost as much
as the rest together (``aminmax`` is the slowest reduction torch has), and a check needs them only
when the √Σx² bound cannot settle it, or for a nearly constant tensor; otherwise they are read when
first asked for, which the report does as it renders.  Subnormals are probed separately.

Floats are reduced in fp32 (half and bfloat16 are upcast one chunk at a time) and partial results
are combined in float64: no float64 or full-size copy of a tensor is ever made, and extra memory is
one chunk (one index of the first dimension, if that is larger) plus one float per unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import torch

CHUNK = 1 << 18  # elements per chunk: 1 MiB of fp32, half of one core's L2 on the reference machine
# Counting subnormals takes five passes (abs, two compares, and, count).  Raw memory holds them
# densely, so tensors above SUBNORMAL_PROBE_ABOVE elements are first probed on the first
# SUBNORMAL_PROBE_RUN elements of every SUBNORMAL_PROBE_SPAN (one cache line in 64) and counted in
# full only when the probe finds one; a lone subnormal in a large, otherwise healthy tensor can
# therefore go unreported.
SUBNORMAL_PROBE_ABOVE = 1 << 20
SUBNORMAL_PROBE_SPAN = 1024
SUBNORMAL_PROBE_RUN = 16
# A variance below this fraction of mean² may be rounding error of a constant tensor: min and max
# decide.  fp32 chunk sums combined in float64 err by far less (~1e-6 relative).
NEAR_CONSTANT = 1e-4

@dataclass(eq=False)
class TensorStats:
    numel: int
    nonfinite: int
    subnormal: int
    mean: float  # over finite values; nan when there are none
    std: float
    root_sum_square: float  # √Σx² over finite values: no element's magnitude exceeds it
    # fp32 sum of each slice along the unit dimension (≥2-D tensors without non-finite values), else None
    unit_sums: torch.Tensor | None = None
    tensor: torch.Tensor | None = field(default=None, repr=False)  # read for min/max on first use
    extremes: tuple[float, float] | None = field(default=None, repr=False)
    # the written record when never-written elements hold what the allocator gave (``capture.LAZY_FILL``)
    written: object = field(default=None, repr=False)

    @property
    def finite(self) -> int:
        return self.numel - self.nonfinite

    @property
    def min(self) -> float:
        return self._extremes()[0]

    @property
    def max(self) -> float:
        return self._extremes()[1]

    def _extremes(self) -> tuple[float, float]:
        if self.extremes is None:
            self.extremes = finite_extremes(self.tensor)
        return self.extremes

    @property
    def largest(self) -> float:
        """The largest magnitude of a finite element (nan when there are none)."""
        return max(abs(self.min), abs(self.max)) if self.finite else math.nan

    def magnitude_exceeds(self, limit: float) -> bool:
        """Whether a finite element is larger than ``limit`` in magnitude; √Σx² ≤ limit settles it without min/max."""
        return self.finite > 0 and self.root_sum_square > limit and self.largest > limit

    # Questions a check asks rather than reading a number, so that statistics computed in a batch
    # (``batched.BatchedStats``) can answer without their own pass when the answer is not close.
    def is_constant(self) -> bool:
        """Every element finite and equal."""
        return self.finite == self.numel and self.std == 0 and self.min == self.max

    def std_within(self, low: float, high: float, factor: float = 1.0) -> bool:
        """``low <= std * factor <= high``."""
        return low <= self.std * factor <= high

    @property
    def units_may_repeat(self) -> bool:
        """Whether two output units might be equal (when false, no two are); ``unit_sums`` tells which might."""
        return self.unit_sums is not None


def _chunks(tensor: torch.Tensor, chunk: int) -> Iterator[tuple[int, torch.Tensor]]:
    """(first index along dim 0, fp32 slice) pairs; each slice holds about ``chunk`` elements, or
    one index of dim 0 when that alone is larger."""
    data = tensor.detach()
    if data.dim() == 0:
        data = data.reshape(1)
    inner = data[0].numel() if data.shape[0] else 1
    step = max(1, chunk // max(inner, 1))
    for start in range(0, data.shape[0], step):
        piece = data[start : start + step]
        yield start, piece if piece.dtype in (torch.float32, torch.float64) else piece.float()


def tensor_stats(tensor: torch.Tensor, unit_dim: int = 0, chunk: int = CHUNK, written=None) -> TensorStats:
    """Statistics of a real floating-point tensor; non-finite elements are left out of mean/std/min/max.

    ``written`` (a ``written.WrittenBits``, or ``False`` for none) marks the elements that hold values when
    the others were never filled: those count as non-finite, as the NaN they stand for, and are never read."""
    if tensor.numel() == 0:
        return _summary(tensor, chunk, 0, 0.0, 0.0)
    if written is not None:
        return _finite_only_stats(tensor, chunk, written)
    fused = _fused_stats(tensor, unit_dim, chunk)
    return fused if fused is not None else _finite_only_stats(tensor, chunk)


def _fused_stats(tensor: torch.Tensor, unit_dim: int, chunk: int) -> TensorStats | None:
    """The one-pass statistics, or None when a non-finite value (or an overflow) makes them meaningless."""
    squares, totals = [], []
    unit_sums = None
    if tensor.dim() >= 2:
        # rows are written in place; sums over another dimension accumulate over chunks, in float64
        unit_sums = torch.zeros(tensor.shape[unit_dim], dtype=torch.float32 if unit_dim == 0 else torch.float64)
    for start, piece in _chunks(tensor, chunk):
        flat = piece.reshape(-1)
        squares.append(torch.dot(flat, flat))
        if unit_sums is None:
            totals.append(flat.sum())
        elif unit_dim == 0:
            torch.sum(piece.reshape(piece.shape[0], -1), 1, out=unit_sums[start : start + piece.shape[0]])
        else:
            unit_sums += piece.movedim(unit_dim, -1).reshape(-1, unit_sums.numel()).sum(0)
    if unit_sums is not None:
        totals.append(unit_sums.sum())
    total, square = _combined(totals), _combined(squares)
    if not (math.isfinite(total) and math.isfinite(square)):
        return None
    return _summary(tensor, chunk, tensor.numel(), total, square,
                    unit_sums=unit_sums.float() if unit_sums is not None else None)


def _finite_only_stats(tensor: torch.Tensor, chunk: int, written=None) -> TensorStats:
    """Statistics over the finite elements, chunk by chunk with a mask, in float64: the path for NaN, Inf and overflow."""
    count = 0
    low, high, total, square = math.inf, -math.inf, 0.0, 0.0
    for piece in _finite_pieces(tensor, chunk, written):
        values = piece.to(torch.float64)  # one chunk: Σx² of finite fp32 values may overflow
        if values.numel() == 0:
            continue
        count += values.numel()
        piece_low, piece_high = torch.aminmax(values)
        low, high = min(low, float(piece_low)), max(high, float(piece_high))
        total += float(values.sum())
        square += float(torch.dot(values, values))
    return _summary(tensor, chunk, count, total, square, extremes=(low, high), written=written)


def _finite_pieces(tensor: torch.Tensor, chunk: int, written=None) -> Iterator[torch.Tensor]:
    """The finite (and, with a ``written`` record, written) elements of each chunk, flat."""
    if written is False:
        return
    for start, piece in _chunks(tensor, chunk):
        keep = torch.isfinite(piece)
        if written is not None:
            keep &= written.seen(_slice(tensor, start, piece))
        yield piece[keep]


def _slice(tensor: torch.Tensor, start: int, piece: torch.Tensor) -> torch.Tensor:
    """The part of ``tensor`` itself (not an fp32 copy) that the chunk ``piece`` starting at ``start`` holds."""
    data = tensor.detach()
    return data.reshape(1) if data.dim() == 0 else data[start : start + piece.shape[0]]


def _summary(
    tensor: torch.Tensor,
    chunk: int,
    count: int,
    total: float,
    square: float,
    extremes: tuple[float, float] | None = None,
    unit_sums: torch.Tensor | None = None,
    written=None,
) -> TensorStats:
    """The statistics from ``count`` finite elements' sum and sum of squares.  Without known
    ``extremes``, a variance within rounding of zero makes min and max decide whether it is 0."""
    nonfinite = tensor.numel() - count
    if count == 0:
        return TensorStats(tensor.numel(), nonfinite, 0, math.nan, math.nan, 0.0, extremes=(math.nan, math.nan))
    mean = total / count
    variance = max(square / count - mean * mean, 0.0)
    if extremes is None and variance <= NEAR_CONSTANT * mean * mean:
        extremes = finite_extremes(tensor, chunk)
    if extremes is not None and extremes[0] == extremes[1]:
        variance = 0.0
    return TensorStats(tensor.numel(), nonfinite, _subnormals(tensor, chunk, written), mean, math.sqrt(variance),
                       math.sqrt(square), unit_sums, tensor, extremes, written)


def finite_extremes(tensor: torch.Tensor, chunk: int = CHUNK) -> tuple[float, float]:
    """Min and max over the finite elements; (nan, nan) when there are none."""
    low, high = math.inf, -math.inf
    for _, piece in _chunks(tensor, chunk):
        piece_low, piece_high = (float(v) for v in torch.aminmax(piece))
        if not (math.isfinite(piece_low) and math.isfinite(piece_high)):
            piece = piece[torch.isfinite(piece)]
            if piece.numel() == 0:
                continue
            piece_low, piece_high = (float(v) for v in torch.aminmax(piece))
        low, high = min(low, piece_low), max(high, piece_high)
    return (low, high) if low <= high else (math.nan, math.nan)


def _combined(values: list[torch.Tensor]) -> float:
    """Per-chunk partial sums added in float64."""
    return float(values[0]) if len(values) == 1 else float(torch.stack(values).to(torch.float64).sum())


def _subnormals(tensor: torch.Tensor, chunk: int, written=None) -> int:
    """Subnormal elements: raw memory holds them, no initializer writes them (never-written elements that
    were not filled, per ``written``, are left out)."""
    tiny = torch.finfo(tensor.dtype).tiny
    if tensor.numel() > SUBNORMAL_PROBE_ABOVE and tensor.is_contiguous():
        flat = tensor.detach().reshape(-1)
        spans = flat[: flat.numel() - flat.numel() % SUBNORMAL_PROBE_SPAN].view(-1, SUBNORMAL_PROBE_SPAN)
        probe = spans[:, :SUBNORMAL_PROBE_RUN]
        if written is None:
            found = _count_subnormal(probe, tiny)
        else:  # the written flags of one block of spans at a time: ``seen`` unpacks all it spans
            rows = max(1, chunk // SUBNORMAL_PROBE_SPAN)
            found = written is not False and any(
                _count_subnormal(block[written.seen(block)], tiny)
                for block in (probe[start : start + rows] for start in range(0, probe.shape[0], rows)))
        if not found:
            return 0
    if written is not None:
        return sum(_count_subnormal(piece, tiny) for piece in _finite_pieces(tensor, chunk, written))
    return sum(_count_subnormal(piece, tiny) for _, piece in _chunks(tensor, chunk))


def _count_subnormal(values: torch.Tensor, tiny: float) -> int:
    magnitude = values.abs()
    return int(torch.count_nonzero((magnitude < tiny) & (magnitude > 0)))


def histogram(tensor: torch.Tensor, low: float, high: float, bins: int = 8, written=None) -> list[int]:
    """Counts of finite (and, per ``written``, written) values in ``bins`` equal bins over [low, high]."""
    counts = torch.zeros(bins, dtype=torch.int64)
    if not (math.isfinite(low) and math.isfinite(high)):
        return counts.tolist()
    if low == high:
        high = low + 1.0
    for piece in _finite_pieces(tensor, CHUNK, written):
        counts += torch.histc(piece, bins=bins, min=low, max=high).to(torch.int64)
    return counts.tolist()
