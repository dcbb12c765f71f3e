"""What the code asked for: the std that the in-place writes the capture recorded produce.

``nn.init.normal_(w, std=1e-6)`` reaches aten as ``normal_(w, 0.0, 1e-06)``; timm's ``trunc_normal_``
as ``uniform_``, ``erfinv_``, ``mul_``, ``add_``, ``clamp_``; a head scaled down after its init as a last
``mul_(0.001)``.  Replaying those steps on the std gives what was asked; a value the code asked for
explicitly is a decision, not an accident, and the checks honour it (down to float32 resolution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .capture import WriteOp

_GENERATORS = {"normal_", "uniform_", "zero_", "fill_", "copy_"}
_SCALINGS = {"mul_": 1, "div_": -1}
_SHIFTS = {"add_", "sub_", "clamp_", "clamp_min_", "clamp_max_", "clip_"}
_ERFINV_GAIN = math.sqrt(1.5)  # std of erfinv(U(-1, 1)) over the std of U(-1, 1)


@dataclass(frozen=True)
class Request:
    """What the last initializer call chain asked for."""

    std: float | None  # the std the steps produce, None when the base is a copy of something else
    factor: float  # product of the explicit scalings after the base (1 when there are none)
    steps: tuple[WriteOp, ...]

    def __str__(self) -> str:
        shown = [self.steps[0]] + [step for step in self.steps[1:] if step.name in _SCALINGS]
        return ", ".join(map(str, shown))

    def explains(self, std: float, tolerance: float = 3.0) -> bool:
        """Whether the measured ``std`` is what was asked: within ``tolerance`` of the replayed std, or the
        result of an explicit scaling down of a copied value."""
        if self.std is not None:
            return self.std > 0 and 1 / tolerance <= std / self.std <= tolerance
        return self.factor < 1


def _base_std(step: WriteOp) -> float | None:
    if step.name == "normal_":
        return abs(step.scalars[1]) if len(step.scalars) >= 2 else 1.0
    if step.name == "uniform_":
        low, high = (step.scalars + (0.0, 1.0)[len(step.scalars):])[:2]
        return abs(high - low) / math.sqrt(12)
    if step.name in ("zero_", "fill_"):
        return 0.0
    return None  # copy_: whatever the source held


def requested(writes: tuple[WriteOp, ...]) -> Request | None:
    """Replay the writes since the last full generator (``normal_``, ``uniform_``, ``fill_``, ``copy_``);
    None when a write it cannot replay (or a partial write) came after it."""
    start = max((i for i, step in enumerate(writes) if step.name in _GENERATORS and step.full), default=None)
    if start is None:
        return None
    steps = writes[start:]
    std, factor = _base_std(steps[0]), 1.0
    for step in steps[1:]:
        if not step.full:
            return None
        if step.name in _SCALINGS and step.scalars:
            scale = abs(step.scalars[0]) ** _SCALINGS[step.name]
            factor *= scale
            std = None if std is None else std * scale
        elif step.name == "erfinv_":
            std = None if std is None else std * _ERFINV_GAIN
        elif step.name not in _SHIFTS:
            return None
    return Request(std, factor, steps)
