"""Which elements of one storage were written: a bit per element, set and counted through any strided view.

A tracked storage needs this only after its first partial write (a write through a view that does
not reach every element).  A bit, not a byte, per element keeps it at 1/32 of an fp32 tensor: with a
bool per element and a reduction over it, a 200 M-element parameter written half way peaked at
2.77 GB against 0.60 GB for the plain build (issue 19).  Every step works on bounded pieces.

A view is first described as *runs* of consecutive storage elements (``runs``).  Most partial writes
are whole bytes of bits: a slice of rows, or rows cut at a multiple of 8 columns; those set and count
bytes through one strided view of the bit array.  Other shapes go through element indices, at most
``CHUNK`` at a time.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator

import torch

CHUNK = 1 << 20  # element indices (or bytes of bits) handled at a time: 8 MiB of int64
FEW_RUNS = 32  # up to this many runs are set one by one; more go through windows or element indices
SPARSE = 16  # a view that reaches fewer than 1 in SPARSE elements of its span goes through element indices
_POPCOUNT = torch.tensor([bin(byte).count("1") for byte in range(256)], dtype=torch.uint8)
# 8 bytes of 0 or 1 (little-endian int64) times this have those 8 bits, in order, in the top byte
_PACK = 0x0102040810204080
_SHIFTS = torch.arange(8, dtype=torch.uint8)


@dataclass(frozen=True)
class Runs:
    """A view's elements as runs of ``length`` consecutive storage elements.

    The runs start at ``offset + sum(i_k * stride_k)`` over ``outer`` (size, stride) pairs, largest
    stride first; ``repeats`` counts how often each element appears (dimensions of stride 0)."""

    offset: int
    outer: tuple[tuple[int, int], ...]
    length: int
    repeats: int

    @property
    def count(self) -> int:
        return math.prod(size for size, _ in self.outer)

    @property
    def span(self) -> int:
        """Storage elements from the first element of the view to its last."""
        return self.length + sum((size - 1) * stride for size, stride in self.outer)

    def overlapping(self) -> bool:
        """Whether two positions of the view (other than through stride-0 dimensions) share an element."""
        extent = self.length
        for size, stride in reversed(self.outer):
            if stride < extent:
                return True
            extent += (size - 1) * stride
        return False

    def in_bytes(self) -> tuple[list[int], list[int], int] | None:
        """Size, stride and offset of the same runs over the bytes of a bit array, when every run is whole bytes."""
        if self.offset % 8 or self.length % 8 or any(stride % 8 for _, stride in self.outer):
            return None
        sizes = [size for size, _ in self.outer] + [self.length // 8]
        return sizes, [stride // 8 for _, stride in self.outer] + [1], self.offset // 8

    def starts(self) -> Iterator[int]:
        for index in itertools.product(*(range(size) for size, _ in self.outer)):
            yield self.offset + sum(i * stride for i, (_, stride) in zip(index, self.outer))

    def sparse(self) -> bool:
        """Whether the view reaches few of the elements between its first and last (index them, not their span)."""
        return self.span > SPARSE * self.count * self.length

    def windows(self) -> Iterator[tuple[int, int, tuple[list[int], list[int], int]]]:
        """Byte-aligned windows of about ``CHUNK`` storage elements, each with the part of the view inside it.

        Yields (first element, elements, as_strided arguments relative to the window); the view is cut
        along its outermost dimension, so a window may be longer than ``CHUNK`` by one outer step."""
        (size, stride), rest = self.outer[0], self.outer[1:]
        inner_span = self.length + sum((s - 1) * t for s, t in rest)
        step = max(1, CHUNK // stride)
        for first in range(0, size, step):
            count = min(step, size - first)
            start = self.offset + first * stride
            window_start = start // 8 * 8
            elements = -(-(start - window_start + (count - 1) * stride + inner_span) // 8) * 8
            sizes = [count, *(s for s, _ in rest), self.length]
            strides = [stride, *(t for _, t in rest), 1]
            yield window_start, elements, (sizes, strides, start - window_start)

    def indices(self) -> Iterator[torch.Tensor]:
        """The storage index of each position of the view (stride-0 repeats left out), ``CHUNK`` at a time."""
        dims = (*self.outer, (self.length, 1))
        total = self.count * self.length
        for first in range(0, total, CHUNK):
            position = torch.arange(first, min(total, first + CHUNK), dtype=torch.int64)
            index = torch.full_like(position, self.offset)
            for size, stride in reversed(dims):
                index += position % size * stride
                position = position.div(size, rounding_mode="floor")
            yield index


def runs(view: torch.Tensor) -> Runs:
    """The runs of consecutive storage elements that ``view`` covers."""
    repeats = 1
    dims = []
    for size, stride in zip(view.shape, view.stride()):
        if size == 1:
            continue
        if stride == 0:
            repeats *= size
        else:
            dims.append((size, stride))
    dims.sort(key=lambda dim: -dim[1])
    merged: list[tuple[int, int]] = []
    for size, stride in dims:
        if merged and merged[-1][1] == size * stride:
            merged[-1] = (merged[-1][0] * size, stride)
        else:
            merged.append((size, stride))
    length = merged.pop()[0] if merged and merged[-1][1] == 1 else 1
    return Runs(view.storage_offset(), tuple(merged), length, repeats)


class WrittenBits:
    """A bit per element of a storage of ``numel`` elements: set once some write reached it."""

    def __init__(self, numel: int) -> None:
        self.numel = numel
        self.bits = torch.zeros((numel + 7) // 8, dtype=torch.uint8)

    # -- writing ----------------------------------------------------------------------------
    def add(self, view: torch.Tensor) -> None:
        """Mark every element ``view`` reaches as written."""
        found = runs(view)
        in_bytes = found.in_bytes()
        if in_bytes is not None:
            self.bits.as_strided(*in_bytes).fill_(255)
        elif found.count <= FEW_RUNS:
            for start in found.starts():
                self._add_range(start, start + found.length)
        elif not found.sparse():
            for start, elements, strided in found.windows():
                self.bits[start // 8 : (start + elements) // 8] |= _packed_window(elements, strided)
        else:
            for indices in found.indices():
                self._add_indices(indices.unique() if found.overlapping() else indices)

    def _add_range(self, start: int, end: int) -> None:
        while start < end and start % 8:
            self._or_byte(start // 8, _bit_mask(start % 8, min(8, start % 8 + end - start)))
            start = min(end, (start // 8 + 1) * 8)
        if end // 8 > start // 8:
            self.bits[start // 8 : end // 8] = 255
            start = end // 8 * 8
        if start < end:
            self._or_byte(start // 8, _bit_mask(0, end - start))

    def _or_byte(self, index: int, mask: int) -> None:
        self.bits[index] = int(self.bits[index]) | mask

    def _add_indices(self, indices: torch.Tensor) -> None:
        """Set the bits of distinct element indices."""
        byte = indices >> 3
        values = torch.bitwise_left_shift(torch.ones_like(indices), indices & 7)
        unique, inverse = torch.unique(byte, return_inverse=True)
        # distinct elements of one byte have distinct bits, so their sum is their bitwise or
        sums = torch.zeros(unique.numel(), dtype=torch.int64).index_add_(0, inverse, values)
        self.bits[unique] |= sums.to(torch.uint8)

    # -- reading ----------------------------------------------------------------------------
    def count(self, view: torch.Tensor) -> int:
        """How many positions of ``view`` hold written elements (an element seen twice counts twice)."""
        found = runs(view)
        in_bytes = found.in_bytes()
        if in_bytes is not None:
            return found.repeats * _popcount(self.bits.as_strided(*in_bytes))
        if not found.outer or (not found.overlapping() and found.span == found.count * found.length):
            return found.repeats * self._count_range(found.offset, found.offset + found.span)  # a dense block
        total = 0
        if not found.sparse():
            for start, elements, strided in found.windows():
                total += _popcount(self.bits[start // 8 : (start + elements) // 8] & _packed_window(elements, strided))
        else:
            for indices in found.indices():
                total += int(((self.bits[indices >> 3] >> (indices & 7).to(torch.uint8)) & 1).sum())
        return found.repeats * total

    def _count_range(self, start: int, end: int) -> int:
        total = 0
        while start < end and start % 8:
            total += bin(int(self.bits[start // 8]) & _bit_mask(start % 8, min(8, start % 8 + end - start))).count("1")
            start = min(end, (start // 8 + 1) * 8)
        if end // 8 > start // 8:
            total += _popcount(self.bits[start // 8 : end // 8])
            start = end // 8 * 8
        if start < end:
            total += bin(int(self.bits[start // 8]) & _bit_mask(0, end - start)).count("1")
        return total

    def seen(self, view: torch.Tensor) -> torch.Tensor:
        """Whether each position of ``view`` holds a written element, as a bool tensor of ``view``'s shape
        (the bits of the span it reaches, unpacked: for following raw memory through ops, not for counting)."""
        first = view.storage_offset()
        last = first + sum((size - 1) * stride for size, stride in zip(view.shape, view.stride())) + 1
        start = first // 8 * 8
        flags = _unpack(self.bits[start // 8 : (last + 7) // 8]) if view.numel() else torch.zeros(0, dtype=torch.bool)
        return flags.as_strided(view.shape, view.stride(), first - start)

    def unwritten_windows(self, flat: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """``(window, never-written flags)`` over ``flat`` (the whole storage, one element after another),
        ``CHUNK`` elements at a time: for filling the never-written elements without a full-size mask."""
        for start in range(0, self.numel, CHUNK):
            end = min(self.numel, start + CHUNK)
            yield flat[start:end], ~_unpack(self.bits[start // 8 : (end + 7) // 8])[: end - start]

    @classmethod
    def written_except(cls, view: torch.Tensor, raw: torch.Tensor) -> WrittenBits:
        """The bits of ``view``'s storage: every element written but those ``raw`` (a bool of its shape) marks."""
        written = cls(view.untyped_storage().nbytes() // view.element_size())
        flags = torch.zeros(written.bits.numel() * 8, dtype=torch.bool)
        flags[: written.numel] = True  # the bits past the last element stay clear, as ``add`` leaves them
        flags.as_strided(view.shape, view.stride(), view.storage_offset()).copy_(~raw)
        written.bits = _pack(flags)
        return written

    def full(self) -> bool:
        """Whether every element of the storage was written."""
        return self._count_range(0, self.numel) == self.numel


def _bit_mask(low: int, high: int) -> int:
    """Bits ``low`` to ``high - 1`` of a byte."""
    return ((1 << (high - low)) - 1) << low


def _packed_window(elements: int, strided: tuple[list[int], list[int], int]) -> torch.Tensor:
    """The bits of a window of ``elements`` (a multiple of 8) with the view ``strided`` (as_strided arguments) set."""
    window = torch.zeros(elements, dtype=torch.bool)
    window.as_strided(*strided).fill_(True)
    return _pack(window)


def _pack(flags: torch.Tensor) -> torch.Tensor:
    """A contiguous bool tensor of a multiple of 8 elements as bytes of bits (element i: bit i % 8 of byte i // 8)."""
    return (flags.view(torch.int64) * _PACK).bitwise_right_shift(56).bitwise_and(255).to(torch.uint8)


def _unpack(bits: torch.Tensor) -> torch.Tensor:
    """Bytes of bits as one bool per element, in order."""
    return (bits.unsqueeze(1).bitwise_right_shift(_SHIFTS).bitwise_and(1)).bool().reshape(-1)


def _popcount(data: torch.Tensor) -> int:
    """Set bits in a uint8 tensor of any shape and strides, ``CHUNK`` bytes at a time."""
    flat = data.reshape(-1)
    return sum(int(_POPCOUNT[flat[start : start + CHUNK].long()].sum(dtype=torch.int64))
               for start in range(0, flat.numel(), CHUNK))
