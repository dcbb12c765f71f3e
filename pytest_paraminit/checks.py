"""The parameter checks: one function each, named after its id in :mod:`findings`.

Every function takes a :class:`Subject` (one parameter with its role and statistics) and returns a
:class:`Finding` or ``None``.  The bands are justified by measurement in ``docs/scale-band.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import torch

from .findings import CheckId, Finding
from .roles import Kind, Role
from .stats import TensorStats

# std * sqrt(fan_in) of a weight that multiplies inputs; see docs/scale-band.md
WEIGHT_BAND = (0.01, 8.0)
# std of an embedding table, learned position or token
EMBEDDING_BAND = (1e-3, 4.0)
# largest magnitude a bias, norm gain or 1-element gate is expected to start with
MAX_MAGNITUDE = {Kind.BIAS: 20.0, Kind.GAIN: 20.0, Kind.GATE: 100.0}
GARBAGE_MAGNITUDE = 1e4
# the kinds whose output units must differ (a table's rows too)
_UNIT_KINDS = (Kind.WEIGHT, Kind.EMBEDDING, Kind.UNKNOWN)


@dataclass
class Subject:
    """One parameter as the checks see it."""

    name: str
    tensor: torch.Tensor
    role: Role
    stats: TensorStats
    unwritten: int = 0
    site: str | None = None
    expected: str = field(default="", init=False)

    @property
    def broad(self) -> bool:
        """At least two dimensions larger than 1: a matrix-like tensor."""
        return sum(size > 1 for size in self.tensor.shape) >= 2


def _g(value: float) -> str:
    return f"{value:.3g}"


def unwritten_finding(name: str, unwritten: int, numel: int, site: str | None) -> Finding:
    """The ``uninitialized`` finding; also given for a parameter whose values are not judged (integer, ...)."""
    return Finding(CheckId.UNINITIALIZED, name, f"{unwritten} of {numel} elements never written", "0", site)


def uninitialized(s: Subject) -> Finding | None:
    if not s.unwritten:
        return None
    return unwritten_finding(s.name, s.unwritten, s.stats.numel, s.site)


def non_finite(s: Subject) -> Finding | None:
    written_nonfinite = s.stats.nonfinite - s.unwritten
    if written_nonfinite <= 0:
        return None
    return Finding(CheckId.NON_FINITE, s.name, f"{written_nonfinite} NaN/Inf", "all finite")


def garbage(s: Subject) -> Finding | None:
    if s.stats.subnormal:
        return Finding(CheckId.GARBAGE, s.name, f"{s.stats.subnormal} subnormal values", "none")
    if s.stats.magnitude_exceeds(GARBAGE_MAGNITUDE):
        return Finding(CheckId.GARBAGE, s.name, f"max |x| = {_g(s.stats.largest)}", f"≤ {GARBAGE_MAGNITUDE:g}")
    return None


def _is_constant(s: Subject) -> bool:
    return s.stats.finite == s.stats.numel and s.stats.std == 0 and s.stats.min == s.stats.max


def constant(s: Subject) -> Finding | None:
    if not s.broad or s.role.kind in (Kind.BIAS, Kind.GAIN, Kind.GATE) or not _is_constant(s):
        return None
    return Finding(CheckId.CONSTANT, s.name, f"all {s.stats.numel} elements = {_g(s.stats.min)}", "varied values")


def duplicate_units(s: Subject) -> Finding | None:
    keys = s.stats.unit_sums
    if not s.broad or s.role.kind not in _UNIT_KINDS or _is_constant(s) or keys is None:
        return None
    _, inverse, counts = torch.unique(keys, return_inverse=True, return_counts=True)
    candidates = (counts > 1)[inverse].nonzero().flatten()
    if candidates.numel() == 0:
        return None
    # only units whose sums collide are gathered and compared in full
    units = s.tensor.detach().index_select(s.role.unit_dim, candidates).movedim(s.role.unit_dim, 0)
    duplicated = candidates.numel() - torch.unique(units.reshape(candidates.numel(), -1), dim=0).shape[0]
    if duplicated == 0:
        return None
    return Finding(CheckId.DUPLICATE_UNITS, s.name, f"{duplicated} of {keys.numel()} units repeat another",
                   "all distinct")


def expected_scale(role: Role) -> str:
    """The expectation a role sets, as shown in the report's 'expected' column."""
    if role.kind == Kind.WEIGHT and role.fan_in:
        low, high = WEIGHT_BAND
        root = math.sqrt(role.fan_in)
        return f"{_g(low / root)}..{_g(high / root)}"
    if role.kind == Kind.EMBEDDING:
        return f"{EMBEDDING_BAND[0]:g}..{EMBEDDING_BAND[1]:g}"
    if role.kind in MAX_MAGNITUDE:
        return f"|x| ≤ {MAX_MAGNITUDE[role.kind]:g}"
    return "-"


def scale(s: Subject) -> Finding | None:
    if s.stats.finite == 0 or s.stats.nonfinite or _is_constant(s):
        return None
    kind, std = s.role.kind, s.stats.std
    if kind == Kind.WEIGHT and s.role.fan_in:
        measured = std * math.sqrt(s.role.fan_in)
        low, high = WEIGHT_BAND
        if not low <= measured <= high:
            return Finding(CheckId.SCALE, s.name,
                           f"std·√fan_in = {_g(measured)} (std {_g(std)}, fan_in {s.role.fan_in})",
                           f"{low:g}..{high:g}")
    elif kind == Kind.EMBEDDING:
        low, high = EMBEDDING_BAND
        if not low <= std <= high:
            return Finding(CheckId.SCALE, s.name, f"std = {_g(std)}", f"{low:g}..{high:g}")
    elif kind in MAX_MAGNITUDE:
        if s.stats.magnitude_exceeds(MAX_MAGNITUDE[kind]):
            return Finding(CheckId.SCALE, s.name, f"max |x| = {_g(s.stats.largest)} for a {kind}",
                           f"≤ {MAX_MAGNITUDE[kind]:g}")
    return None


PARAMETER_CHECKS: tuple[Callable[[Subject], Finding | None], ...] = (
    uninitialized, non_finite, garbage, constant, duplicate_units, scale,
)
