"""PIN007: a value ``__init__`` gives that the initializer run after ``to_empty()`` does not write."""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import (
    Applicability,
    FileContext,
    Finding,
    Fix,
    FixAvailability,
    Invalid,
    LeftBehind,
    Rule,
    left_behind,
    children,
    statements_at_end,
)

_BUILTINS = frozenset(dir(builtins))


class IncompleteDeferredInitializer(Rule):
    """
    ## What it does
    Checks, in projects that build models on the meta device (some file spells
    `torch.device("meta")`, `device="meta"`, `init_empty_weights()` or `.to_empty()`), for
    classes with an initializer — a method named in `initializer-methods`
    (`reset_parameters`, `init_weights`, `_init_weights`, …), in the class or a base of
    any project file — that does not write a parameter or buffer whose value `__init__`
    sets: `torch.ones`, `torch.zeros`, `torch.tensor(...)`, `torch.randn`, a computed
    rotary `inv_freq` or causal mask, raw memory that `__init__` fills with `nn.init`.
    Also flags an `nn.MultiheadAttention` (it has only a private `_reset_parameters()`)
    and a weight-norm or spectral-norm layer (its `reset_parameters()` writes the
    computed weight, never the originals) that the initializer never names.

    What counts as written: anything the initializer's methods write or re-register on
    `self` (through `self`, `super()`, `self.apply`), a loop over `self.parameters()`,
    and writes through another object in an initializer of the file
    (`module.logit_scale.data.fill_(...)` under an `isinstance` that admits the class).
    A class without an initializer of its own is judged by the initializer another class
    of the file applies to every module (`self.apply(self._init_weights)`).
    Under a Hugging Face `PreTrainedModel`'s `_init_weights(module)` buffers are not judged:
    that path builds with `init_empty_weights()`, which keeps buffers. A base nobody can
    read, or a call that hands `self` away, counts as writing everything.

    ## Why is this bad?
    `to_empty()` keeps no values, of parameters or buffers (persistent or not). After it,
    only the initializer runs, so whatever `__init__` alone computed is raw memory: a
    temperature of `3e-41`, a NaN rotary table, a loss that is NaN only on some ranks.

    ## Example
    ```python
    class Attention(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.qkv = nn.Linear(dim, 3 * dim)
            self.scale = nn.Parameter(torch.tensor(2.0))

        def init_weights(self):
            nn.init.trunc_normal_(self.qkv.weight, std=0.02)
            nn.init.zeros_(self.qkv.bias)
    ```

    ## Use instead
    ```python
        def init_weights(self):
            nn.init.trunc_normal_(self.qkv.weight, std=0.02)
            nn.init.zeros_(self.qkv.bias)
            with torch.no_grad():
                self.scale.copy_(torch.tensor(2.0))
    ```

    ## Fix safety
    The fix repeats the value `__init__` gives at the end of the initializer
    (`self.scale.copy_(...)` under `torch.no_grad()`), when that value needs nothing but
    imports and `self`. It is unsafe: the initializer then changes the tensor's values,
    also on the eager path where it runs after `__init__`.
    """

    code = "PIN007"
    name = "incomplete-deferred-initializer"
    summary = "Initializer run after to_empty() does not write a parameter or buffer that __init__ gives a value"
    preview = True
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(
        r"\.apply\s*\(|Parameter\s*\(|register_buffer\s*\(|MultiheadAttention\s*\(|weight_norm\s*\(|spectral_norm\s*\(|register_parametrization\s*\("
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for left in left_behind(ctx.index, ctx.flow, ctx.options):
            yield ctx.finding(self, left.node, _message(left), _fix(ctx, left))

    VALID = (
        """
import torch
from torch import nn

with torch.device("meta"):
    pass

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.lam = nn.Parameter(torch.ones(n))
        self.register_buffer("mask", torch.tril(torch.ones(n, n)), persistent=False)

    def reset_parameters(self):
        nn.init.ones_(self.lam)
        self.register_buffer("mask", torch.tril(torch.ones(self.lam.numel(), self.lam.numel())), persistent=False)
""",
        """
import torch
from torch import nn

class Clip(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, 4)
        self.logit_scale = nn.Parameter(torch.ones([]) * 2.6)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, Clip):
            module.logit_scale.data.fill_(2.6)
            module.attn._reset_parameters()
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (13, 22, "Parameter `self.scale` gets its value in `__init__`, but `Attention.init_weights` does not "
                         "write it: after `to_empty()` it is raw memory"),
            ),
            source="""
import torch
from torch import nn

def build(dim):
    with torch.device("meta"):
        return Attention(dim)

class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)
        self.scale = nn.Parameter(torch.tensor(2.0))

    def init_weights(self):
        nn.init.trunc_normal_(self.qkv.weight, std=0.02)
""",
            fixed="""
import torch
from torch import nn

def build(dim):
    with torch.device("meta"):
        return Attention(dim)

class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)
        self.scale = nn.Parameter(torch.tensor(2.0))

    def init_weights(self):
        nn.init.trunc_normal_(self.qkv.weight, std=0.02)
        with torch.no_grad():
            self.scale.copy_(torch.tensor(2.0))
""",
            applicability=Applicability.UNSAFE,
        ),
    )


def _loaded_names(node: object) -> Iterator[object]:
    """The bare names an expression reads (not attribute names, not keywords)."""
    kind = type(node).__name__
    if kind == "Name":
        yield node
        return
    for child in children(node):
        if kind == "Attribute" and child is node.attr:  # type: ignore[attr-defined]
            continue
        if kind == "Arg" and child is node.keyword:  # type: ignore[attr-defined]
            continue
        yield from _loaded_names(child)


def _message(left: LeftBehind) -> str:
    initializer = f"`{left.initializer.owner.name if left.initializer.owner else left.klass.name}.{left.initializer.name}`"
    target = f"`{left.construction.self_name}.{left.key}`"
    if left.kind == "multihead-attention":
        return (
            f"{target} is an `nn.MultiheadAttention`, which initializes itself only in its private "
            f"`_reset_parameters()`; {initializer} never reaches it, so after `to_empty()` its `in_proj_weight` "
            f"is raw memory: call `{target[1:-1]}._reset_parameters()` there"
        )
    if left.kind == "parametrized":
        return (
            f"{target} is weight- or spectral-normalized: its `reset_parameters()` writes the computed weight, "
            f"never the originals, and {initializer} does not assign `{target[1:-1]}.weight`: after `to_empty()` "
            "the originals are raw memory"
        )
    if left.kind == "buffer":
        return (
            f"Buffer {target} is computed in `__init__`, but {initializer} does not recompute it: `to_empty()` "
            "keeps no buffer values (persistent or not)"
        )
    return f"Parameter {target} gets its value in `__init__`, but {initializer} does not write it: after `to_empty()` it is raw memory"


def _fix(ctx: FileContext, left: LeftBehind) -> Fix | None:
    """Repeat the value in the initializer, where it needs only imports and ``self``."""
    initializer, value = left.initializer, left.value
    if value is None or initializer.node is None or initializer.owner is None or initializer.owner.home is not ctx.index:
        return None
    if initializer.self_name is None or len(initializer.params) > 1 or left.construction.self_name is None:
        return None
    module_names = ctx.index.module_level.local_defs
    for node in _loaded_names(value):
        name = node.value
        if name == left.construction.self_name or name in module_names or name in _BUILTINS:
            continue
        if ctx.names.qualify(node) is None:
            return None  # a local or argument of __init__ the initializer does not have
    no_grad = ctx.names.spelling_of("torch.no_grad")
    if no_grad is None:
        return None
    expression = ctx.code(value).strip()
    if left.construction.self_name != initializer.self_name:
        return None
    code = f"with {no_grad}():\n    {initializer.self_name}.{left.key}.copy_({expression})\n"
    return statements_at_end(ctx, initializer, code, f"Write `{initializer.self_name}.{left.key}` in `{initializer.name}` as `__init__` does")
