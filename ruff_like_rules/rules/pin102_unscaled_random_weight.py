"""PIN102 (preview): a weight matrix drawn from randn with std 1, never rescaled."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import WRAPS, FileContext, Finding, Invalid, Kind, Rule, weight_matrices


class UnscaledRandomWeight(Rule):
    """
    ## What it does
    Checks for weight matrices created with `nn.Parameter(torch.randn(out, in))` and never
    re-initialized, where a method such as `forward` multiplies inputs by them (`@`,
    `matmul`, `F.linear`, `einsum`, `conv`). Tables used as embeddings or learned positions
    (`torch.randn(1, n, dim)` added to activations) are not weights and are not flagged,
    nor is a product normalized or scaled right away (`F.normalize(q @ self.w)`,
    `self.norm(x @ self.w)`, `(q @ self.w) * self.scale` with `scale = dim ** -0.5`): there
    the weight's scale does not reach the activations.

    Stays preview: a std of 1 is sometimes what a paper prescribes (talking-heads mixes,
    readouts compensated elsewhere), which the source alone does not show.

    ## Why is this bad?
    `randn` has std 1. A layer with fan-in `n` then multiplies activations by about `√n`
    (32× at 1024), so activations and gradients explode with depth. Standard inits use std
    about `1/√fan_in`.

    ## Example
    ```python
    self.weight = nn.Parameter(torch.randn(d_out, d_in))
    ```

    ## Use instead
    ```python
    self.weight = nn.Parameter(torch.randn(d_out, d_in) / math.sqrt(d_in))
    ```

    ## Fix safety
    No automatic fix.
    """

    code = "PIN102"
    name = "unscaled-random-weight"
    summary = "Weight matrix initialized with torch.randn (std 1) instead of ~1/sqrt(fan_in)"
    preview = True
    trigger = re.compile(r"randn\s*\(")
    trigger_with = WRAPS
    reads_usage = True

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for storage in weight_matrices(ctx.flow.storages, Kind.RANDOM_NORMAL, ctx.options.initializer_methods, unless_rescaled=True):
            yield ctx.finding(
                self,
                storage.source.call,
                f"Weight `{storage.display()}` is drawn from `{storage.source.display}` with std 1; "
                "scale it by ~1/sqrt(fan_in) or use an `nn.init` function",
            )

    VALID = (
        """
import math, torch
from torch import nn

class Proj(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Parameter(torch.randn(d, d) / math.sqrt(d))
        self.pos = nn.Parameter(torch.randn(1, 16, d))

    def forward(self, x):
        return (x + self.pos) @ self.w
""",
        """
import torch
import torch.nn.functional as F
from torch import nn

class Pooled(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w_g = nn.Parameter(torch.randn(d, 1))
        self.queries = nn.Parameter(torch.randn(8, d))
        self.scale = d ** -0.5

    def forward(self, x):
        weights = F.normalize(x @ self.w_g, dim=1)
        attn = (torch.matmul(self.queries, x.transpose(-1, -2)) * self.scale).softmax(dim=-1)
        return attn @ (x * weights)
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (9, 31, "Weight `self.w` is drawn from `torch.randn` with std 1; scale it by ~1/sqrt(fan_in) or use "
                        "an `nn.init` function"),
            ),
            source="""
import torch
import torch.nn.functional as F
from torch import nn

class Proj(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.w = nn.Parameter(torch.randn(d_out, d_in))

    def forward(self, x):
        return F.linear(x, self.w)
""",
        ),
    )
