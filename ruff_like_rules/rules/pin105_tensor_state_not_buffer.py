"""PIN105 (preview): a tensor built at construction and read in forward, kept as a plain attribute."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.rules.api import (
    Applicability,
    ClassInfo,
    FileContext,
    Finding,
    FixAvailability,
    Invalid,
    Registration,
    Rule,
    Walker,
    dotted_parts,
    self_attribute,
)

_FACTORY = r"\b(?:zeros|ones|full|empty|rand|randn|arange|linspace|logspace|eye|tensor|as_tensor|from_numpy|tril|triu|exp|sin|cos|outer|cat|stack)(?:_like)?\s*\("


class TensorStateNotBuffer(Rule):
    """
    ## What it does
    Checks for `nn.Module` subclasses whose construction computes a tensor with torch —
    a causal mask, a position table, inverse frequencies — keeps it as a plain attribute of
    `self`, and reads it in `forward`. Only values that are clearly tensors count (results
    of torch factories and tensor operations), never Python numbers or lists. Not flagged:
    a tensor `forward` moves or replaces itself (`self.freqs.to(x.device)`,
    `self.means = self.means.to(images.device)`), one made on a chosen device (`device=`),
    and a 0-dim scalar (`torch.tensor(math.sqrt(d))` combines with tensors on any device).

    Stays preview: host-side control tensors (cache keys, counters read as Python numbers)
    are plain attributes on purpose, and a helper of another method may move the tensor.

    ## Why is this bad?
    A plain tensor attribute is not a buffer: `.to(device)` and `.cuda()` leave it where it
    was made, so `forward` mixes devices or dtypes, and `state_dict()` does not carry it.

    ## Example
    ```python
    class Causal(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.mask = torch.tril(torch.ones(n, n))

        def forward(self, scores):
            return scores.masked_fill(self.mask == 0, float("-inf"))
    ```

    ## Use instead
    ```python
    class Causal(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("mask", torch.tril(torch.ones(n, n)), persistent=False)

        def forward(self, scores):
            return scores.masked_fill(self.mask == 0, float("-inf"))
    ```

    ## Fix safety
    Where the attribute is assigned once, by a plain `self.x = value` statement, the fix
    registers it with `register_buffer(name, value, persistent=False)`. It is unsafe:
    `.to()` then moves the tensor and `buffers()` lists it.
    """

    code = "PIN105"
    name = "tensor-state-not-buffer"
    summary = "Tensor computed at construction and read in forward kept as a plain attribute, not a buffer"
    preview = True
    fix_availability = FixAvailability.SOMETIMES
    reads_usage = True
    trigger = re.compile(
        r"self\.\w+\s*(?::[^=\n]*)?=(?![^\n]*(?:Parameter|Buffer)\s*\()[^\n]*" + _FACTORY
        + r"|=[^\n]*" + _FACTORY + r"(?=[\s\S]{0,3000}?self\.\w+\s*=\s*\w+\s*\n)"
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        registration = ctx.registration
        for cls in registration.classes:
            construction = registration.construction_of(cls)
            if not construction:
                continue
            counts: dict[str, int] = {}
            for facts in construction:
                for attribute, _, _ in facts.assigns:
                    counts[attribute] = counts.get(attribute, 0) + 1
            registered = registration.registered_attributes(cls)
            read = None
            for facts in construction:
                for attribute, value, statement in facts.assigns:
                    if attribute in registered or not registration.is_tensor(value, facts.function):
                        continue
                    if registration.requires_grad(value, facts):
                        continue  # PIN005's business
                    if read is None:
                        read = _read_in_forward(registration, cls)
                    if attribute not in read or not registration.concerns(self, facts.function):
                        continue
                    if not _device_free(value, ctx.code(value)):
                        continue  # made on its device on purpose, or a 0-dim scalar
                    fix = None
                    if counts[attribute] == 1 and isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                        call = cst.parse_expression(f'{facts.function.self_name}.register_buffer("{attribute}", value, persistent=False)')
                        call = call.with_changes(args=[call.args[0], call.args[1].with_changes(value=value), call.args[2]])  # type: ignore[attr-defined]
                        fix = ctx.replacement(statement, call, "Register it with `register_buffer(..., persistent=False)`", Applicability.UNSAFE)
                    yield ctx.finding(
                        self,
                        value,
                        f"`{facts.function.self_name}.{attribute}` is a tensor read in `forward` but not a buffer: "
                        "`.to()` does not move it; use `register_buffer(name, value, persistent=False)`",
                        fix,
                    )

    VALID = (
        """
import torch
from torch import nn

class Causal(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("mask", torch.tril(torch.ones(n, n)), persistent=False)
        self.n = n
        self.sizes = [n, n]
        self.unused = torch.ones(n)

    def forward(self, scores):
        return scores.masked_fill(self.mask == 0, float("-inf"))[:, : self.n]
""",
        """
import math, torch
from torch import nn

class Moved(nn.Module):
    def __init__(self, n, device=None):
        super().__init__()
        self.freqs = torch.arange(n).float()
        self.scale = torch.tensor(math.sqrt(n))
        self.kernel = torch.ones(n, device=device)

    def forward(self, x):
        self.freqs = self.freqs.to(x.device)
        return x * self.freqs * self.scale + self.kernel
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (8, 21, "`self.mask` is a tensor read in `forward` but not a buffer: `.to()` does not move it; use "
                        "`register_buffer(name, value, persistent=False)`"),
            ),
            source="""
import torch
from torch import nn

class Causal(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.mask = torch.tril(torch.ones(n, n))

    def forward(self, scores):
        return scores.masked_fill(self.mask == 0, float("-inf"))
""",
            fixed="""
import torch
from torch import nn

class Causal(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("mask", torch.tril(torch.ones(n, n)), persistent=False)

    def forward(self, scores):
        return scores.masked_fill(self.mask == 0, float("-inf"))
""",
            applicability=Applicability.UNSAFE,
        ),
    )


class _SelfReads(Walker):
    """Attributes ``forward`` reads, and those it moves itself (``self.x.to(x.device)``) or
    replaces (``self.x = ...``)."""

    def __init__(self, self_name: str | None) -> None:
        super().__init__()
        self.self_name = self_name
        self.read: set[str] = set()
        self.moved: set[str] = set()

    def enter_Attribute(self, node: cst.Attribute) -> None:
        attribute = self_attribute(node, self.self_name)
        if attribute is not None:
            self.read.add(attribute)

    def enter_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _MOVING and isinstance(func.value, cst.Attribute):
            attribute = self_attribute(func.value, self.self_name)
            if attribute is not None:
                self.moved.add(attribute)

    def enter_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Attribute):
            attribute = self_attribute(node.target, self.self_name)
            if attribute is not None:
                self.moved.add(attribute)


_MOVING = frozenset({"to", "cuda", "type_as"})
_DEVICE_ARGUMENT = re.compile(r"\bdevice\s*=")
_SCALAR_FACTORIES = frozenset({"tensor", "as_tensor"})
_SCALAR_CALL = re.compile(r"(?:math\.\w+|float|int)\s*\(")


def _func_code(call: cst.Call) -> str:
    return ".".join(dotted_parts(call.func) or ["?"]) + "("


def _device_free(value: cst.BaseExpression, code: str) -> bool:
    """A tensor whose device matters: neither made on a chosen device (``device=``) nor a
    0-dim scalar (``torch.tensor(2.0)`` combines with tensors on any device)."""
    if _DEVICE_ARGUMENT.search(code):
        return False
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in _SCALAR_FACTORIES:
        first = value.args[0].value if value.args else None
        if isinstance(first, (cst.Integer, cst.Float, cst.UnaryOperation, cst.BinaryOperation)):
            return False
        if isinstance(first, cst.Call) and _SCALAR_CALL.match(_func_code(first)):
            return False
    return True


def _read_in_forward(registration: Registration, cls: ClassInfo) -> set[str]:
    """Attributes of ``self`` that ``forward`` (of the class, its bases or subclasses) mentions
    and does not move or replace itself."""
    index = registration.index
    read: set[str] = set()
    moved: set[str] = set()
    for klass in index.lineage(cls) + index.subclasses(cls):
        forward = klass.methods.get("forward")
        if forward is not None:
            walker = _SelfReads(forward.self_name)
            for body in forward.bodies:
                walker.walk(body)
            read |= walker.read
            moved |= walker.moved
    return read - moved
