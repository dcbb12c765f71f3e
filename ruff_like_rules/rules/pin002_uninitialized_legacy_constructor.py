"""PIN002: a legacy constructor's uninitialized result is read before anything writes it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.rules.api import (
    METADATA_ATTRIBUTES,
    PASSTHROUGH_METHODS,
    READING_METHODS,
    WRITER_METHODS,
    Applicability,
    FileContext,
    Finding,
    FixAvailability,
    Function,
    Invalid,
    Kind,
    Rule,
    Walker,
    as_empty,
    children,
    dotted_parts,
    is_init_function,
    is_torch_module,
    source_of,
)

WRITE, READ, NEUTRAL, REBIND = "write", "read", "neutral", "rebind"
_READING = (cst.BinaryOperation, cst.Comparison, cst.UnaryOperation, cst.FormattedStringExpression, cst.AugAssign)


class UninitializedLegacyConstructor(Rule):
    """
    ## What it does
    Checks for legacy tensor constructors called with sizes — `torch.FloatTensor(2, 2)`,
    `torch.Tensor(n)`, `torch.cuda.HalfTensor(...)`, `x.new(3, 4)` — whose result is read
    (printed, used in arithmetic, passed to a torch function) before anything writes it.

    ## Why is this bad?
    With sizes, these constructors allocate memory without initializing it, just like
    `torch.empty`, but their names suggest otherwise. Reading the result reads garbage.

    ## Example
    ```python
    a = torch.FloatTensor(2, 2)
    print(a.sum())
    ```

    ## Use instead
    ```python
    a = torch.zeros(2, 2, dtype=torch.float32)
    print(a.sum())
    ```

    ## Fix safety
    The fix rewrites the constructor as `torch.empty(..., dtype=..., device=...)`, which
    allocates the same uninitialized memory under an honest name; it is safe. Deciding
    what the values should be is left to you.
    """

    code = "PIN002"
    name = "uninitialized-legacy-constructor"
    summary = "Legacy constructor with sizes whose uninitialized result is read before it is written"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(r"Tensor\s*\(|\.new\s*\(")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        stored = {id(s.source.call) for s in ctx.storages}
        for function in ctx.index.functions:
            direct = [call for call in function.legacy_calls if id(call) not in stored and _allocates(call, ctx, function)]
            if not direct:
                continue
            bound: dict[str, list[tuple[cst.Call, cst.BaseExpression]]] = {}
            for name, values in function.local_defs.items():
                for value in values:
                    call = _strip_passthrough(value)
                    if any(call is c for c in direct):
                        bound.setdefault(name, []).append((call, value))  # type: ignore[arg-type]
            uses = _Uses(ctx, function, set(bound), direct)
            for body in function.bodies:
                uses.walk(body)
            for call in direct:
                if _first_effect(uses.of_call(call), uses.order_of(call)) == READ:
                    yield self._finding(ctx, call, None)
            for name, bindings in bound.items():
                for call, value in bindings:
                    if _first_effect(uses.of_name(name), uses.bound_at(value)) == READ:
                        yield self._finding(ctx, call, name)

    def _finding(self, ctx: FileContext, call: cst.Call, name: str | None) -> Finding:
        spelled = ctx.code(call.func)
        what = f"`{name}`" if name else "its result"
        replacement = as_empty(call, ctx.names)
        fix = None
        if replacement is not None:
            fix = ctx.replacement(call, replacement, f"Replace with `{ctx.code(replacement)}`", Applicability.SAFE)
        return ctx.finding(
            self, call, f"`{spelled}(...)` returns uninitialized memory and {what} is read before anything writes it", fix
        )

    VALID = (
        """
import torch
a = torch.FloatTensor(2, 2)
a.zero_()
print(a)
""",
        """
import torch
def fill(n):
    out = torch.Tensor(n)
    for i in range(n):
        out[i] = i
    return out
""",
        """
import torch
x = torch.FloatTensor([1.0, 2.0])
print(x)
""",
        """
import torch
def buffer(n):
    return torch.LongTensor(n)
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (3, 5, "`torch.FloatTensor(...)` returns uninitialized memory and `a` is read before anything writes "
                       "it"),
            ),
            source="""
import torch
a = torch.FloatTensor(2,2)
print(a)
""",
            fixed="""
import torch
a = torch.empty(2,2, dtype=torch.float32)
print(a)
""",
        ),
        Invalid(
            findings=(
                (4, 9, "`th.cuda.HalfTensor(...)` returns uninitialized memory and `h` is read before anything writes "
                       "it"),
            ),
            source="""
import torch as th
def f(x):
    h = th.cuda.HalfTensor(x.size(0), 8)
    return x @ h
""",
            fixed="""
import torch as th
def f(x):
    h = th.empty(x.size(0), 8, dtype=th.float16, device="cuda")
    return x @ h
""",
        ),
        Invalid(
            findings=(
                (4, 11, "`torch.Tensor(...)` returns uninitialized memory and its result is read before anything "
                        "writes it"),
            ),
            source="""
import torch
def f(x):
    print(torch.Tensor(3, 4).sum())
""",
            fixed="""
import torch
def f(x):
    print(torch.empty(3, 4).sum())
""",
        ),
    )


def _allocates(call: cst.Call, ctx: FileContext, function: Function) -> bool:
    source = source_of(call, ctx.names, function)
    return source is not None and source.kind == Kind.UNINITIALIZED


def _strip_passthrough(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in PASSTHROUGH_METHODS:
        expr = expr.func.value
    return expr


def _first_effect(uses: list[tuple[int, str]], after: int) -> str:
    """The first write, read or rebinding among the uses from ``after`` on."""
    for order, effect in uses:
        if order >= after and effect in (WRITE, READ, REBIND):
            return effect
    return NEUTRAL


def _in_evaluation_order(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Children as Python evaluates them: an assignment's value before its targets, so
    ``loss = loss + x`` reads ``loss`` before rebinding it."""
    if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and node.value is not None:
        rest = [child for child in children(node) if child is not node.value]
        return [node.value, *rest]
    return children(node)


class _Uses(Walker):
    """Classifies each use of the tracked names and calls as a write, a read or neutral.

    Uses are numbered in evaluation order, so no positions are needed.
    """

    def __init__(self, ctx: FileContext, function: Function, names: set[str], calls: list[cst.Call]) -> None:
        super().__init__()
        self.ctx = ctx
        self.function = function
        self.names = names
        self.call_ids = {id(c) for c in calls}
        self._roots = {id(body) for body in function.bodies}
        self._parents: list[cst.CSTNode] = []
        self._order = 0
        self._call_order: dict[int, int] = {}
        self._bound_order: dict[int, int] = {}
        self._names: dict[str, list[tuple[int, str]]] = {}
        self._calls: dict[int, list[tuple[int, str]]] = {}

    def of_name(self, name: str) -> list[tuple[int, str]]:
        return self._names.get(name, [])

    def of_call(self, call: cst.Call) -> list[tuple[int, str]]:
        return self._calls.get(id(call), [])

    def order_of(self, call: cst.Call) -> int:
        return self._call_order[id(call)]

    def bound_at(self, value: cst.BaseExpression) -> int:
        """Where the assignment of ``value`` has finished binding its targets."""
        return self._bound_order[id(value)]

    def walk(self, node: cst.CSTNode) -> None:
        if id(node) not in self._roots and isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return  # another scope; a class body runs where it stands, so its calls are walked
        self._order += 1
        if isinstance(node, cst.Name) and node.value in self.names:
            self._names.setdefault(node.value, []).append((self._order, self._effect(node)))
        elif isinstance(node, cst.Call) and id(node) in self.call_ids:
            self._call_order[id(node)] = self._order
            self._calls.setdefault(id(node), []).append((self._order, self._effect(node)))
        self._parents.append(node)
        for child in _in_evaluation_order(node):
            self.walk(child)
        self._parents.pop()
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            self._bound_order[id(node.value)] = self._order + 1

    def _effect(self, node: cst.CSTNode) -> str:
        """Climb from a use through ``.data``, views and subscripts to what decides its effect."""
        parents = self._parents
        current = node
        index = len(parents) - 1
        while index >= 0:
            parent = parents[index]
            grand = parents[index - 1] if index > 0 else None
            if isinstance(parent, cst.Attribute) and parent.value is current:
                attribute = parent.attr.value
                called = isinstance(grand, cst.Call) and grand.func is parent
                if attribute == "data":
                    current, index = parent, index - 1
                elif attribute in METADATA_ATTRIBUTES:
                    return NEUTRAL
                elif called and attribute in WRITER_METHODS:
                    return WRITE
                elif called and attribute in PASSTHROUGH_METHODS:
                    current, index = grand, index - 2  # type: ignore[assignment]
                else:
                    return READ
            elif isinstance(parent, cst.Subscript) and parent.value is current:
                if isinstance(grand, cst.AssignTarget):
                    return WRITE
                current, index = parent, index - 1
            elif isinstance(parent, cst.AssignTarget):
                return REBIND
            elif isinstance(parent, (cst.Element, cst.StarredElement)) and isinstance(grand, (cst.List, cst.Tuple)):
                current, index = grand, index - 2  # type: ignore[assignment]  # torch.cat([x, pad])
            elif isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
                return self._argument_effect(grand, parent)
            elif isinstance(parent, _READING):
                return READ
            else:
                return NEUTRAL
        return NEUTRAL

    def _argument_effect(self, call: cst.Call, argument: cst.Arg) -> str:
        if argument.keyword is not None and argument.keyword.value == "out":
            return WRITE
        parts = dotted_parts(call.func)
        if parts is None:
            return NEUTRAL
        qualified = self.ctx.names.qualify(call.func)
        if is_init_function(call.func, parts, qualified, self.ctx.names, self.ctx.options.init_functions, self.function):
            return WRITE  # the same initializers PIN001 accepts
        if parts == ["print"]:
            return READ
        if qualified is not None and qualified.startswith("torch.") and not self.ctx.names.is_parameter_class(call.func):
            return READ
        if is_torch_module(call.func, self.function, self.ctx.index):
            return READ  # self.rnn(x, hidden): a torch layer reads its inputs
        if len(parts) >= 2 and parts[-1] in READING_METHODS and qualified is None:
            return READ  # x.matmul(w), out.copy_(w): a tensor method reads its operands
        return NEUTRAL  # len(), isinstance(), or an unknown callee that may fill it: never cry wolf
