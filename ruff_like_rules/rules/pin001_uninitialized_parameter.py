"""PIN001: a parameter or buffer made from uninitialized memory that nothing initializes."""

from __future__ import annotations

from collections.abc import Iterator

from ruff_like_rules.rules.api import (
    RAW_MEMORY,
    WRAPS,
    Applicability,
    FileContext,
    Finding,
    FixAvailability,
    Invalid,
    Rule,
    Verdict,
    missing_initialization,
)


class UninitializedParameter(Rule):
    """
    ## What it does
    Checks for parameters and buffers whose data comes from uninitialized storage —
    `torch.empty`, `empty_like`, `empty_strided`, `x.new_empty`, or a legacy constructor
    with sizes such as `torch.Tensor(3, 4)` or `torch.FloatTensor(n)` — when nothing in the
    file ever writes that storage.

    A write counts wherever it reaches the storage: `nn.init.*_` calls, in-place methods
    such as `normal_()`, `copy_()` or `fill_()`, slice or `.data` assignment, loops over
    `self.parameters()`, `self.apply(fn)`, helpers of the same file, and
    `isinstance(module, ThisClass)` branches of an `_init_weights`. (Initialization only
    in an initializer that construction never runs, or runs before the storage exists, is
    PIN003.)

    ## Why is this bad?
    Uninitialized memory holds whatever was there before: zeros on one run, `1.4e-45` or
    `-7643.4` on the next. A model built this way trains badly or not at all, and the
    failure is not reproducible. `nn.Linear` is safe only because its constructor calls
    `reset_parameters()`.

    ## Example
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.Tensor(n, n))
    ```

    ## Use instead
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(n, n))
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
    ```

    ## Fix safety
    An unsafe fix adds the missing initialization in the form the code base already uses:
    lines at the end of the class's own initializer (`reset_parameters()` and the other
    `initializer-methods` that take only `self`), with a call at the end of `__init__`
    unless `__init__` already calls it after creating the storages; otherwise a new `reset_parameters()` after `__init__`, called at the end of
    `__init__`. Each storage is initialized as `nn.Linear` does: `kaiming_uniform_(w,
    a=math.sqrt(5))` for weights of two or more dimensions, `uniform_(-1/sqrt(fan_in),
    1/sqrt(fan_in))` for a bias with `fan_in` of its sibling weight (`bias` -> `weight`;
    zero without one), one for other one-dimensional parameters (a scale, as in norm
    layers), a run-time `dim()` check where the size is not written down, and zero for
    buffers. `torch.nn.init` and `math` are spelled through the file's imports (`import
    math` is added when missing). The fix is unsafe because it changes the values the
    module starts with — on purpose, but which initialization a parameter needs is a
    modelling decision you should review. Classes whose base comes from another file get
    no fix: a new `reset_parameters()` could override the base's.
    """

    code = "PIN001"
    name = "uninitialized-parameter"
    summary = "Parameter or buffer created from uninitialized memory and never initialized"
    trigger = RAW_MEMORY
    fix_availability = FixAvailability.SOMETIMES
    trigger_with = WRAPS

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for storage in ctx.flow.raw_memory_storages(Verdict.UNINITIALIZED):
            yield ctx.finding(
                self,
                storage.source.call,
                f"{storage.noun} `{storage.display()}` is created from uninitialized memory "
                f"(`{storage.source.display}`) and nothing initializes it",
                missing_initialization(ctx, storage),
            )

    VALID = (
        """
import torch
from torch import nn

class AdaptiveInput(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        self.register_buffer("_float_tensor", torch.FloatTensor(1))  # only its dtype and device matter

    def forward(self, tokens):
        out = self._float_tensor.new(tokens.shape + (self.embeddings.embedding_dim,))
        return out.copy_(self.embeddings(tokens.to(self._float_tensor.device)))
""",
        """
import math
import torch
from torch import nn
from torch.nn import init

class Linear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        self.bias = nn.Parameter(torch.empty(n_out))
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        init.uniform_(self.bias, -0.1, 0.1)
""",
        """
import torch
import torch.nn as nn

class Gain(nn.Module):
    def __init__(self, n):
        super().__init__()
        w = torch.empty(n)
        nn.init.ones_(w)
        self.w = nn.Parameter(w)
""",
        """
import torch as th

class Prelu(th.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = th.nn.Parameter(th.empty(n).fill_(0.25))
""",
        """
import torch
from torch import nn

class Tensor:
    def __init__(self, *shape):
        self.shape = shape

class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.spec = Tensor(3, 4)
""",
    )
    INVALID = (
        Invalid(  # the optional-parameter idiom: the earlier None gives the later storage no values
            findings=(
                (10, 45, "Parameter `self.level_embed` is created from uninitialized memory (`torch.Tensor`) and "
                         "nothing initializes it"),
            ),
            source="""
import torch
from torch import nn

class Encoder(nn.Module):
    def __init__(self, levels, d_model):
        super().__init__()
        self.level_embed = None
        if levels > 1:
            self.level_embed = nn.Parameter(torch.Tensor(levels, d_model))

    def forward(self, x, level):
        return x if self.level_embed is None else x + self.level_embed[level]
""",
        ),
        Invalid(  # a one-element buffer whose value forward reads is data, not a dtype anchor
            findings=(
                (8, 39, "Buffer `self.scale` is created from uninitialized memory (`torch.FloatTensor`) and nothing "
                        "initializes it"),
            ),
            source="""
import torch
from torch import nn

class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.FloatTensor(1))

    def forward(self, x):
        return x.to(self.scale.device) * self.scale
""",
        ),
        Invalid(
            findings=(
                (8, 36, "Parameter `self.weight` is created from uninitialized memory (`torch.Tensor`) and nothing "
                        "initializes it"),
            ),
            applicability=Applicability.UNSAFE,
            source="""
import torch
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n, n))
""",
            fixed="""
import math
import torch
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n, n))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
""",
        ),
        Invalid(
            findings=(
                (11, 39, "Parameter `self.weight` is created from uninitialized memory (`torch.empty`) and nothing "
                         "initializes it"),
                (12, 37, "Parameter `self.bias` is created from uninitialized memory (`torch.empty`) and nothing "
                         "initializes it"),
            ),
            applicability=Applicability.UNSAFE,
            source="""
import math
import torch as th
from torch.nn import init

class Affine(th.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.scale = th.nn.Parameter(th.ones(n_out))
        self.reset_parameters()
        self.weight = th.nn.Parameter(th.empty(n_out, n_in))
        self.bias = th.nn.Parameter(th.empty(n_out))

    def reset_parameters(self):
        init.ones_(self.scale)  # keep
""",
            fixed="""
import math
import torch as th
from torch.nn import init

class Affine(th.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.scale = th.nn.Parameter(th.ones(n_out))
        self.reset_parameters()
        self.weight = th.nn.Parameter(th.empty(n_out, n_in))
        self.bias = th.nn.Parameter(th.empty(n_out))
        self.reset_parameters()

    def reset_parameters(self):
        init.ones_(self.scale)  # keep
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(self.bias, -bound, bound)
""",
        ),
        Invalid(
            findings=(
                (3, 24, "Parameter `a` is created from uninitialized memory (`torch.FloatTensor`) and nothing "
                        "initializes it"),
                (4, 24, "Parameter `b` is created from uninitialized memory (`torch.Tensor`) and nothing initializes "
                        "it"),
            ),
            source="""
import torch
a = torch.nn.Parameter(torch.FloatTensor(2, 2))
b = torch.nn.Parameter(torch.Tensor(100, 32))
""",
        ),
        Invalid(
            findings=(
                (8, 24, "Parameter `self.scale` is created from uninitialized memory (`torch.Tensor`) and nothing "
                        "initializes it"),
            ),
            source="""
from torch import nn, Tensor
from torch.nn import Parameter as P

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.scale = P(Tensor(n, n))

    def forward(self, x):
        return x @ self.scale
""",
        ),
    )
