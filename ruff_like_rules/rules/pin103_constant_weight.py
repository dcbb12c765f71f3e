"""PIN103 (preview): a weight matrix of zeros or ones that is never re-initialized."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import WRAPS, FileContext, Finding, Invalid, Kind, Rule, weight_matrices


class ConstantWeight(Rule):
    """
    ## What it does
    Checks for weight matrices created with `nn.Parameter(torch.zeros(out, in))` or
    `torch.ones(out, in)`, never re-initialized, that a method multiplies inputs by.

    Stays preview: on real code bases most such weights are zero on purpose — LoRA's `B`,
    hyper-connection and gating matrices that start as static mixing, zero heads, tables
    that meet distinct queries — and a zero start only fails to break symmetry when the
    units also see the same input, which the source does not show.

    ## Why is this bad?
    Every output unit starts identical and receives the same gradient, so the units never
    become different: symmetry is never broken. (A zero matrix on purpose — LoRA's `B`, a
    zero-initialized residual branch — is fine; add `# noqa: PIN103`.)

    ## Example
    ```python
    self.weight = nn.Parameter(torch.zeros(d_out, d_in))
    ```

    ## Use instead
    ```python
    self.weight = nn.Parameter(torch.empty(d_out, d_in))
    nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
    ```

    ## Fix safety
    No automatic fix.
    """

    code = "PIN103"
    name = "constant-weight"
    summary = "Weight matrix of zeros or ones never re-initialized: no symmetry breaking"
    preview = True
    trigger = re.compile(r"(?:zeros|ones)\s*\(")
    trigger_with = WRAPS
    reads_usage = True

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for storage in weight_matrices(ctx.flow.storages, Kind.CONSTANT, ctx.options.initializer_methods):
            yield ctx.finding(
                self,
                storage.source.call,
                f"Weight `{storage.display()}` is all `{storage.source.display.split('.')[-1]}` and never "
                "re-initialized: its units can never become different",
            )

    VALID = (
        """
import torch
from torch import nn

class Proj(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(d, d))
        nn.init.xavier_uniform_(self.w)
        self.gain = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return (x @ self.w) * self.gain
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (8, 31, "Weight `self.w` is all `ones` and never re-initialized: its units can never become different"),
            ),
            source="""
import torch
from torch import nn

class Proj(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d, 2 * d))

    def forward(self, x):
        return x @ self.w
""",
        ),
    )
