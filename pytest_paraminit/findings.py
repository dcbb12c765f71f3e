"""What the checks report: their stable ids, each one's explanation and fix, and a finding.

Plain data without torch, so that the allow list, and with it the plugin's validation of
``param_init_allow`` before any test runs, can name the checks without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckId(StrEnum):
    """A check's stable id: users write it in allow lists, reports and JSON show it."""

    UNINITIALIZED = "uninitialized"
    NON_FINITE = "non-finite"
    GARBAGE = "garbage"
    CONSTANT = "constant"
    DUPLICATE_UNITS = "duplicate-units"
    SCALE = "scale"
    UNREGISTERED_TENSOR = "unregistered-tensor"
    UNREGISTERED_MODULE = "unregistered-module"
    RANK_DIVERGENCE = "rank-divergence"


@dataclass(frozen=True)
class Check:
    id: CheckId
    summary: str  # what it flags
    fix: str  # what to write instead, when the finding has no more precise hint
    why: str  # why that is a defect, in one sentence, when the finding gives no reason of its own


CHECKS: dict[CheckId, Check] = {
    check.id: check
    for check in (
        Check(CheckId.UNINITIALIZED,
              "elements never written after construction (raw memory from torch.empty & co.)",
              "initialize it in __init__/reset_parameters (nn.init.*_ or copy_)",
              "its values are whatever the memory held (NaN under the checker): training starts from garbage"),
        Check(CheckId.NON_FINITE,
              "NaN or ±Inf values",
              "fix the initializer's arithmetic (log(0), 0/0, overflow)",
              "one NaN or Inf turns every output and gradient it reaches into NaN"),
        Check(CheckId.GARBAGE,
              "subnormal values or magnitudes no initializer produces (> 1e4)",
              "initialize it; these are leftovers of raw memory",
              "no initializer writes such values: they are leftovers of raw memory and wreck the first forward pass"),
        Check(CheckId.CONSTANT,
              "units that start identical and cannot become different (a constant weight, identical tokens, "
              "zero layers in series)",
              "use a random init (nn.init.kaiming_uniform_, normal_(0, 0.02))",
              "its units start identical and get identical updates, so they stay as good as one"),
        Check(CheckId.DUPLICATE_UNITS,
              "identical output units (rows) in a weight, or identical tokens",
              "initialize rows independently (no expand/repeat of one row)",
              "identical units compute the same thing and get the same updates, so the copies never learn apart"),
        Check(CheckId.SCALE,
              "std far from what the parameter's role needs (weights: std·√fan_in, shown as a std band; tables: std)",
              "scale the init (nn.init.kaiming_uniform_, normal_(0, 0.02), xavier_uniform_)",
              "activations grow or shrink by that factor at every such layer, so they explode or vanish with depth"),
        Check(CheckId.UNREGISTERED_TENSOR,
              "a plain tensor attribute with requires_grad=True: optimizers never see it",
              "wrap it: self.x = nn.Parameter(...) (or register_buffer(...) if it is not learned)",
              "optimizers, .to() and state_dict never see it: it is not trained, moved or saved"),
        Check(CheckId.UNREGISTERED_MODULE,
              "a Parameter or Module inside a plain list/tuple/set/dict: not registered",
              "use nn.ModuleList / nn.ModuleDict / nn.ParameterList / nn.ParameterDict",
              "optimizers, .to() and state_dict never see what it holds: it is not trained, moved or saved"),
        Check(CheckId.RANK_DIVERGENCE,
              "a replicated parameter (Replicate() DTensor, DDP-style copy) whose copies differ across ranks",
              "seed every rank alike before building, or broadcast rank 0's values",
              "each rank trains a different model: the copies never agree again, and a checkpoint saves one of them"),
    )
}


DISTRIBUTED_CHECKS = frozenset({CheckId.RANK_DIVERGENCE})  # found only across the ranks of a torch.distributed job


@dataclass
class Finding:
    check: CheckId
    name: str  # parameter (or attribute) path inside the checked module
    measured: str
    expected: str
    site: str | None = None  # line of user code that created the storage, when known
    allowed: bool = False
    hint: str | None = None  # what to write instead, when more precise than the check's generic fix
    reason: str | None = None  # why it is a defect, when more precise than the check's generic sentence

    @property
    def summary(self) -> str:
        return CHECKS[self.check].summary

    @property
    def why(self) -> str:
        return self.reason or CHECKS[self.check].why

    @property
    def fix(self) -> str:
        return self.hint or CHECKS[self.check].fix

    @property
    def allow_hint(self) -> str | None:
        """How to allow it, written out for this parameter, for the checks a deliberate init can trip."""
        if self.check not in DELIBERATE:
            return None
        return (f"if deliberate: @pytest.mark.param_init(allow={{{self.name!r}: {str(self.check)!r}}}), "
                f"or the line '{self.name}: {self.check}' under param_init_allow")


DELIBERATE = frozenset({CheckId.CONSTANT, CheckId.DUPLICATE_UNITS, CheckId.SCALE})  # can be chosen on purpose


@dataclass(frozen=True)
class Note:
    """An observation that is usually intended (a zero head, a constant gate): listed, never a failure."""

    check: CheckId  # the check that looked at it
    name: str
    kind: str  # the group it is listed under in the report: a key of NOTE_KINDS
    detail: str = ""  # this parameter's particulars: its values, the initializer call that wrote them

    @property
    def why(self) -> str:
        return NOTE_KINDS[self.kind]

    def __str__(self) -> str:
        return f"{self.name}: {self.kind}" + (f" ({self.detail})" if self.detail else "") + f": {self.why}"


NOTE_KINDS = {
    "zero weight": "starts as a no-op; its input still gives each unit its own gradient, so it trains",
    "constant table": "added or looked up, so each row gets its own gradient",
    "constant scale": "an element-wise gate or scale that starts constant on purpose",
    "constant filter": "a depthwise filter: each unit reads its own channel",
    "constant, use not seen": "how the code uses it is not visible here; a constant is common there (a zero "
                              "generator, a structured table)",
    "tokens told apart": "identical at first, but told apart downstream, so they learn apart",
    "small on purpose": "the initializer asked for this std explicitly",
    "structured units": "repeated units of exact 0/c values: a structured init (an identity, nearest-neighbour "
                        "upsampling)",
    "scale-invariant": "its product is normalized, so its scale does not change the output",
}
