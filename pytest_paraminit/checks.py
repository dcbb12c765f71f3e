"""The parameter checks: one function each, named after its id in :mod:`findings`.

Every function takes a :class:`Subject` (one parameter with its role, statistics, the writes that
made it and its neighbours) and returns a :class:`Finding`, a :class:`Note` (something usually
intended, never a failure) or ``None``.  ``constant``, ``duplicate-units`` and ``scale`` decide from
the parameter's role and use, never from its rank alone; the bands are justified by measurement in
``docs/scale-band.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import torch

from .bands import CORRECT_EMBEDDING, CORRECT_WEIGHT, EMBEDDING_BAND, GAIN_BAND, RESOLUTION, WEIGHT_BAND, widened
from .capture import WriteOp
from .findings import CheckId, Finding, Note
from .requested import Request, requested
from .roles import Kind, Role
from .batched import BatchedStats
from .stats import TensorStats
from .symmetry import Neighbours

# largest magnitude a bias, norm gain or 1-element gate is expected to start with
MAX_MAGNITUDE = {Kind.BIAS: 20.0, Kind.GAIN: 20.0, Kind.GATE: 100.0}
GARBAGE_MAGNITUDE = 1e4

Outcome = Finding | Note | None


@dataclass
class Subject:
    """One parameter as the checks see it."""

    name: str
    tensor: torch.Tensor
    role: Role
    stats: TensorStats | BatchedStats
    unwritten: int = 0
    site: str | None = None
    writes: tuple[WriteOp, ...] = ()  # the in-place ops that wrote it during construction (capture.py)
    neighbours: Neighbours | None = None
    expected: str = field(default="", init=False)

    @cached_property
    def broad(self) -> bool:
        """At least two dimensions larger than 1: a matrix-like tensor."""
        return sum(size > 1 for size in self.tensor.shape) >= 2

    @property
    def attribute(self) -> str:
        return self.name.rpartition(".")[2]

    def request(self) -> Request | None:
        return requested(self.writes)


def _g(value: float) -> str:
    return f"{value:.3g}"


def unwritten_finding(name: str, unwritten: int, numel: int, site: str | None, what: str = "") -> Finding:
    """The ``uninitialized`` finding; also given for a parameter whose values are not judged (integer, ...)."""
    return Finding(CheckId.UNINITIALIZED, name, f"{unwritten} of {numel} elements never written{what}", "0", site)


def uninitialized(s: Subject) -> Outcome:
    if not s.unwritten:
        return None
    return unwritten_finding(s.name, s.unwritten, s.stats.numel, s.site)


def non_finite(s: Subject) -> Outcome:
    written_nonfinite = s.stats.nonfinite - s.unwritten
    if written_nonfinite <= 0:
        return None
    return Finding(CheckId.NON_FINITE, s.name, f"{written_nonfinite} NaN/Inf", "all finite")


def garbage(s: Subject) -> Outcome:
    if s.stats.subnormal:
        return Finding(CheckId.GARBAGE, s.name, f"{s.stats.subnormal} subnormal values", "none")
    if s.stats.magnitude_exceeds(GARBAGE_MAGNITUDE):
        return Finding(CheckId.GARBAGE, s.name, f"max |x| = {_g(s.stats.largest)}", f"≤ {GARBAGE_MAGNITUDE:g}")
    return None


def _written_by(s: Subject, shown: str) -> str:
    last = s.writes[-1] if s.writes else None
    return f"{shown}, written by {last}" if last is not None and last.full else shown


def constant(s: Subject) -> Outcome:
    if not s.broad or s.role.kind in (Kind.BIAS, Kind.GATE) or not s.stats.is_constant():
        return None
    value, kind = s.stats.min, s.role.kind
    shown = f"all {s.stats.numel} elements = {_g(value)}"
    if kind == Kind.TOKENS:
        return _identical_tokens(s, f"all {s.tensor.shape[s.role.unit_dim]} tokens = {_g(value)}")
    if kind == Kind.GAIN:
        return Note(CheckId.CONSTANT, s.name, "constant scale", _written_by(s, shown))
    if kind == Kind.EMBEDDING:
        if value == 0 and not s.tensor.requires_grad:
            return Finding(CheckId.CONSTANT, s.name, shown + ", requires_grad=False", "the values it should hold",
                           reason="a frozen table that is all zero never changes, so whatever it should hold (a "
                                  "sin-cos position table, a fixed mask) is missing for good",
                           hint=f"compute it in __init__ (self.{s.attribute}.data.copy_(table)) or make it trainable")
        return Note(CheckId.CONSTANT, s.name, "constant table", _written_by(s, shown))
    if kind == Kind.WEIGHT:
        return _constant_weight(s, value, shown)
    return Note(CheckId.CONSTANT, s.name, "constant, use not seen", _written_by(s, shown))


def _constant_weight(s: Subject, value: float, shown: str) -> Outcome:
    if value != 0:
        if s.role.depthwise:
            return Note(CheckId.CONSTANT, s.name, "constant filter", _written_by(s, shown))
        return Finding(CheckId.CONSTANT, s.name, shown, "varied values",
                       reason="every output unit computes the same function of its input and starts alike; a "
                              "constant is an init for norm gains, not for weights",
                       hint=f"nn.init.kaiming_uniform_(self.{s.attribute}, a=math.sqrt(5)) (PyTorch's default) or "
                            "normal_(0, 0.02); zeros_ if the layer should start as a no-op")
    feed = s.neighbours.zero_feed(s.name) if s.neighbours is not None else None
    if feed:
        return Finding(CheckId.CONSTANT, s.name, f"{shown}, fed by {feed} (all zero too)", "a random layer before it",
                       reason=f"its whole input comes from {feed}, which is zero as well: zero layers in series give "
                              "each other zero (or identical) gradients, so their units never move apart",
                       hint=f"initialize {feed} randomly (nn.init.kaiming_uniform_, normal_(0, 0.02)); zero only "
                            "the last layer of a branch")
    return Note(CheckId.CONSTANT, s.name, "zero weight", _written_by(s, shown))


def _tokens_told_apart(s: Subject) -> str:
    if s.role.positioned:
        return "a position term is added after they join the sequence"
    count = s.tensor.shape[s.role.unit_dim]
    if s.neighbours is not None and s.neighbours.tokens_mixed(s.name, count):
        return f"a layer mixes along their axis of {count}"
    return ""


def _identical_tokens(s: Subject, shown: str, check: CheckId = CheckId.CONSTANT) -> Outcome:
    told_apart = _tokens_told_apart(s)
    if told_apart:
        return Note(check, s.name, "tokens told apart", f"{shown}; {told_apart}")
    return Finding(check, s.name, shown, "distinct tokens",
                   reason="identical tokens with no position term and no token-mixing layer after them get identical "
                          "updates from attention and per-token layers, so they stay one token repeated",
                   hint=f"initialize them randomly: nn.init.trunc_normal_(self.{s.attribute}, std=0.02)")


def _structured(tensor: torch.Tensor) -> bool:
    """Exact 0/c values: an identity or selection pattern built on purpose, not a copied random row."""
    values = torch.unique(tensor.detach())
    return values.numel() <= 2 and bool((values == 0).any())


def duplicate_units(s: Subject) -> Outcome:
    if (not s.broad or s.role.kind not in (Kind.WEIGHT, Kind.TOKENS) or s.stats.is_constant()
            or not s.stats.units_may_repeat):
        return None
    keys = s.stats.unit_sums
    _, inverse, counts = torch.unique(keys, return_inverse=True, return_counts=True)
    candidates = (counts > 1)[inverse].nonzero().flatten()
    if candidates.numel() == 0:
        return None
    # only units whose sums collide are gathered and compared in full
    units = s.tensor.detach().index_select(s.role.unit_dim, candidates).movedim(s.role.unit_dim, 0)
    duplicated = candidates.numel() - torch.unique(units.reshape(candidates.numel(), -1), dim=0).shape[0]
    if duplicated == 0:
        return None
    shown = f"{duplicated} of {keys.numel()} units repeat another"
    if s.role.kind == Kind.TOKENS:
        return _identical_tokens(s, shown, CheckId.DUPLICATE_UNITS)
    if _structured(s.tensor):
        return Note(CheckId.DUPLICATE_UNITS, s.name, "structured units", shown)
    return Finding(CheckId.DUPLICATE_UNITS, s.name, shown, "all distinct")


def expected_scale(role: Role) -> str:
    """The expectation a role sets, in the unit of the table's columns (a std, or a magnitude): the
    'expected' column and every ``scale`` finding show it, so the two never speak different units."""
    if role.kind == Kind.WEIGHT and role.fan_in:
        low, high = WEIGHT_BAND
        root = math.sqrt(role.fan_in)
        return f"{_g(low / root)}..{_g(high / root)}"
    if role.kind in (Kind.EMBEDDING, Kind.TOKENS):
        return f"{EMBEDDING_BAND[0]:g}..{EMBEDDING_BAND[1]:g}"
    if role.kind in MAX_MAGNITUDE:
        return f"|x| ≤ {MAX_MAGNITUDE[role.kind]:g}"
    return "-"


def _small(s: Subject, measured: str, output: float, band: tuple[float, float]) -> Outcome:
    """Below the band: a note when the code asked for exactly this (and it is above float32 resolution)."""
    request = s.request()
    explained = request is not None and request.explains(s.stats.std)
    if explained and output >= RESOLUTION:
        return Note(CheckId.SCALE, s.name, "small on purpose", f"{measured}, asked by {request}")
    reason = ("below float32 resolution next to anything of size 1, so the signal through it is lost"
              if output < RESOLUTION else
              f"the signal through it shrinks at least {_g(band[0] / max(output, 1e-300))}× more than any init does")
    if explained:
        reason += f"; the init asked for it ({request}), as a config default such as initializer_range=1e-10 does"
    return Finding(CheckId.SCALE, s.name, measured, expected_scale(s.role), reason=reason,
                   hint="scale the init to the role (normal_(0, 0.02) for tables, kaiming_uniform_ for weights)")


def _weight_scale(s: Subject) -> Outcome:
    role = s.role
    low, high = widened(WEIGHT_BAND, CORRECT_WEIGHT, s.stats.finite)
    if s.stats.std_within(low, high, math.sqrt(role.fan_in)) or (
            role.alt_fan_in and s.stats.std_within(low, high, math.sqrt(role.alt_fan_in))):
        return None
    std = s.stats.std  # read only off the band: batched statistics settle the band without it (batched.py)
    measured = std * math.sqrt(role.fan_in)
    request = s.request()
    if (request is not None and request.std and role.fan_out and request.explains(std)
            and not math.isclose(request.std, 1.0, rel_tol=0.01)  # a unit draw (randn) chose no scale
            and GAIN_BAND[0] <= request.std * math.sqrt(role.fan_out) <= GAIN_BAND[1]):
        return None  # a fan-out-mode init (kaiming_normal_(mode="fan_out"), pycls): a standard choice
    shown = f"std = {_g(std)} (std·√fan_in = {_g(measured)}, fan_in {role.fan_in})"
    if measured < low:
        return _small(s, shown, measured, WEIGHT_BAND)
    if role.normalizer:
        return Note(CheckId.SCALE, s.name, "scale-invariant", f"{shown}; the product goes through {role.normalizer}")
    return Finding(CheckId.SCALE, s.name, shown, expected_scale(role),
                   reason=f"each pass through it multiplies the activations' scale by about {_g(measured)}, so they "
                          "explode with depth and saturate softmax or tanh",
                   hint=f"nn.init.kaiming_uniform_(self.{s.attribute}, a=math.sqrt(5)) or normal_(0, "
                        f"{_g(1 / math.sqrt(role.fan_in))}) (1/√fan_in)")


def scale(s: Subject) -> Outcome:
    if s.stats.finite == 0 or s.stats.nonfinite or s.stats.is_constant():
        return None
    kind = s.role.kind
    if kind == Kind.WEIGHT and s.role.fan_in:
        return _weight_scale(s)
    if kind in (Kind.EMBEDDING, Kind.TOKENS):
        low, high = widened(EMBEDDING_BAND, CORRECT_EMBEDDING, s.stats.finite)
        if s.stats.std_within(low, high):
            return None
        std = s.stats.std
        if std < low:
            return _small(s, f"std = {_g(std)}", std, EMBEDDING_BAND)
        if std > high:
            return Finding(CheckId.SCALE, s.name, f"std = {_g(std)}", expected_scale(s.role),
                           reason=f"a table of std {_g(std)} swamps what it is added to or looked up beside",
                           hint=f"nn.init.normal_(self.{s.attribute}, std=0.02)")
    elif kind in MAX_MAGNITUDE:
        if s.stats.magnitude_exceeds(MAX_MAGNITUDE[kind]):
            reason, hint = _MAGNITUDE_ADVICE[kind]
            return Finding(CheckId.SCALE, s.name, f"max |x| = {_g(s.stats.largest)} for a {kind}",
                           expected_scale(s.role), reason=reason, hint=hint.format(s.attribute))
    return None


_MAGNITUDE_ADVICE = {  # (why, what to write instead)
    Kind.BIAS: ("a bias starts near 0; one this large swamps the activations it is added to",
                "nn.init.zeros_(self.{0}) (or uniform_(-1/√fan_in, 1/√fan_in), PyTorch's default)"),
    Kind.GAIN: ("a gain starts near 1; one this large blows up the activations it multiplies",
                "nn.init.ones_(self.{0}) (or a small constant for a layer scale)"),
    Kind.GATE: ("a gate this large saturates or blows up what it scales",
                "start it at 0 or 1, or at the value the method prescribes"),
}


PARAMETER_CHECKS: tuple[Callable[[Subject], Outcome], ...] = (
    uninitialized, non_finite, garbage, constant, duplicate_units, scale,
)
