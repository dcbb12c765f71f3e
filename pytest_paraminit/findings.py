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


@dataclass(frozen=True)
class Check:
    id: CheckId
    summary: str
    fix: str


CHECKS: dict[CheckId, Check] = {
    check.id: check
    for check in (
        Check(CheckId.UNINITIALIZED,
              "elements never written after construction (raw memory from torch.empty & co.)",
              "initialize it in __init__/reset_parameters (nn.init.*_ or copy_)"),
        Check(CheckId.NON_FINITE,
              "NaN or ±Inf values",
              "fix the initializer's arithmetic (log(0), 0/0, overflow)"),
        Check(CheckId.GARBAGE,
              "subnormal values or magnitudes no initializer produces (> 1e4)",
              "initialize it; these are leftovers of raw memory"),
        Check(CheckId.CONSTANT,
              "a ≥2-D weight whose elements are all equal: no symmetry breaking",
              "use a random init (nn.init.kaiming_uniform_, normal_) or allow it if zero-init is intended"),
        Check(CheckId.DUPLICATE_UNITS,
              "identical output units (rows) in a ≥2-D weight: they learn the same thing",
              "initialize rows independently (no expand/repeat of one row)"),
        Check(CheckId.SCALE,
              "std far from what the parameter's role needs (weights: std·√fan_in; tables: std)",
              "scale the init (nn.init.kaiming_uniform_, normal_(0, 0.02), xavier_uniform_)"),
        Check(CheckId.UNREGISTERED_TENSOR,
              "a plain tensor attribute with requires_grad=True: optimizers never see it",
              "wrap it: self.x = nn.Parameter(...) (or register_buffer(...) if it is not learned)"),
        Check(CheckId.UNREGISTERED_MODULE,
              "a Parameter or Module inside a plain list/tuple/set/dict: not registered",
              "use nn.ModuleList / nn.ModuleDict / nn.ParameterList / nn.ParameterDict"),
    )
}


@dataclass
class Finding:
    check: CheckId
    name: str  # parameter (or attribute) path inside the checked module
    measured: str
    expected: str
    site: str | None = None  # line of user code that created the storage, when known
    allowed: bool = False
    hint: str | None = None  # what to write instead, when more precise than the check's generic fix

    @property
    def summary(self) -> str:
        return CHECKS[self.check].summary

    @property
    def fix(self) -> str:
        return self.hint or CHECKS[self.check].fix
