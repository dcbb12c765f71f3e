"""PIN002: a legacy constructor's uninitialized result is read before anything writes it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.rules.api import (
    DTYPE_CASTS,
    METADATA_ATTRIBUTES,
    PASSTHROUGH_METHODS,
    READING_METHODS,
    RECEIVING_COLLECTIVES,
    WRITER_METHODS,
    Applicability,
    FileContext,
    Finding,
    FixAvailability,
    Function,
    Invalid,
    Kind,
    Rule,
    TorchNames,
    Walker,
    as_empty,
    children,
    dotted_parts,
    is_init_function,
    is_torch_module,
    source_of,
)

WRITE, READ, NEUTRAL, REBIND = "write", "read", "neutral", "rebind"
ESCAPE = "escape"  # handed to code that may fill it (an unknown callee, native code by address)
# The same values under another dtype or view: what happens to the result happens to them.
_SAME_VALUES = PASSTHROUGH_METHODS | DTYPE_CASTS
# Builtins that look at a tensor without filling it (an unknown callee might fill it).
_INSPECTING = frozenset({"len", "isinstance", "type", "id", "hasattr", "getattr", "repr", "str", "bool", "callable"})
_STORAGE_SHARING_WRAPPERS = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
_READING = (cst.BinaryOperation, cst.Comparison, cst.UnaryOperation, cst.FormattedStringExpression, cst.AugAssign)


class UninitializedLegacyConstructor(Rule):
    """
    ## What it does
    Checks for legacy tensor constructors called with sizes — `torch.FloatTensor(2, 2)`,
    `torch.Tensor(n)`, `torch.cuda.HalfTensor(...)`, `x.new(3, 4)` — whose result is read
    (printed, used in arithmetic, passed to a torch function) before anything writes it.

    A write is an in-place initializer (`fill_`, `zero_`, `copy_`, `x[i] = ...`), an `out=`
    argument, a collective that receives into the tensor (`dist.broadcast(buf, src)`,
    `dist.recv`, `all_gather`), or handing the tensor (or its `data_ptr()`) to a function this
    file cannot see into, which may fill it. A dtype cast (`.long()`, `.float()`) or a view
    keeps the values, so `x.new(n).long().fill_(pad)` is written, not read.

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
    allocates the same uninitialized memory under an honest name. It is unsafe: the read
    of garbage stays, and no rule reports a `torch.empty` read before it is written, so
    applying it silently (`--fix`, pre-commit, an editor's fix-all) would hide the bug.
    Review it, and decide what the values should be (`torch.zeros`, a `fill_`).
    """

    code = "PIN002"
    name = "uninitialized-legacy-constructor"
    summary = "Legacy constructor with sizes whose uninitialized result is read before it is written"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(r"Tensor\s*\(|\.new\s*\(")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        stored = {id(s.source.call) for s in ctx.storages}
        for function in ctx.index.functions:
            direct = [
                call
                for call in function.legacy_calls
                if id(call) not in stored and _allocates(call, ctx, function)
            ]
            if not direct:
                continue
            bound: dict[str, list[tuple[cst.Call, cst.BaseExpression]]] = {}
            for name, values in function.local_defs.items():
                for value in values:
                    call = _strip_passthrough(value, ctx.names)
                    if any(call is c for c in direct):
                        bound.setdefault(name, []).append((call, value))  # type: ignore[arg-type]
            uses = _Uses(ctx, function, set(bound), direct)
            for body in function.bodies:
                uses.walk(body)
            named = {id(call) for bindings in bound.values() for call, _ in bindings}
            for call in direct:
                if id(call) not in named and uses.visited(call) and _first_effect(uses.of_call(call), uses.order_of(call)) == READ:
                    yield self._finding(ctx, call, None)
            for name, bindings in bound.items():
                for call, value in bindings:
                    effect = _first_effect(uses.of_name(name), uses.bound_at(value))
                    # Variable(x) keeps x's storage for a loop that fills it; with no write
                    # after it, the wrapped garbage is what the caller gets to read
                    if effect == READ or (effect == NEUTRAL and _wraps_storage(value, ctx.names)):
                        yield self._finding(ctx, call, name)

    def _finding(self, ctx: FileContext, call: cst.Call, name: str | None) -> Finding:
        spelled = ctx.code(call.func)
        what = f"`{name}`" if name else "its result"
        replacement = as_empty(call, ctx.names)
        fix = None
        if replacement is not None:
            fix = ctx.replacement(call, replacement, f"Replace with `{ctx.code(replacement)}`", Applicability.UNSAFE)
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
        """
import torch
import torch.distributed as dist
def receive(length, device):
    buffer = torch.ByteTensor(length).to(device)
    dist.broadcast(buffer, src=0)
    return buffer.cpu().numpy()
""",
        """
import io
import torch
from mylib.distributed import broadcast
def receive_object(length, device):
    buffer = torch.ByteTensor(int(length.item())).to(device)
    broadcast(buffer, src=0)
    return torch.load(io.BytesIO(buffer.cpu().numpy()))
""",
        """
import torch
def viterbi(native, batch, steps):
    path = torch.IntTensor(batch, steps)
    native.compute(batch, steps, path.data_ptr())
    return path.tolist()
""",
        """
import torch
def beams(src_tokens, bsz, beam, max_len, pad):
    tokens = src_tokens.new(bsz * beam, max_len + 2).long().fill_(pad)
    tokens_buf = tokens.clone()
    return tokens, tokens_buf
""",
        """
import torch
def resize(img, out_size):
    if any(x < y for x, y in zip(out_size, img.shape[1:])):
        factors = torch.div(torch.Tensor(list(img.shape[1:])), torch.Tensor(out_size))
        return factors
""",
        """
import torch
def offsets(ntype_count):
    ntype_count.insert(0, 0)
    return torch.cumsum(torch.LongTensor(ntype_count), 0)
""",
        """
import torch
def scores(src, bsz, max_len, step):
    attn = src.new(bsz, max_len + 2)
    attn_buf = attn.clone()
    attn[:, step].copy_(src[:, step])
    return attn[:, : step + 1]
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
            applicability=Applicability.UNSAFE,
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
            applicability=Applicability.UNSAFE,
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
            applicability=Applicability.UNSAFE,
            fixed="""
import torch
def f(x):
    print(torch.empty(3, 4).sum())
""",
        ),
        Invalid(
            findings=(
                (6, 44, "`torch.Tensor(...)` returns uninitialized memory and its result is read before anything "
                        "writes it"),
            ),
            source="""
import torch
from metrics import Report, compute_threshold_idx
def compute(true_pos, false_pos, target):
    threshold_idx = compute_threshold_idx(true_pos, false_pos, target)
    return [Report(name="threshold", value=torch.Tensor(threshold_idx))]
""",
            applicability=Applicability.UNSAFE,
            fixed="""
import torch
from metrics import Report, compute_threshold_idx
def compute(true_pos, false_pos, target):
    threshold_idx = compute_threshold_idx(true_pos, false_pos, target)
    return [Report(name="threshold", value=torch.empty(threshold_idx))]
""",
        ),
    )


def _allocates(call: cst.Call, ctx: FileContext, function: Function) -> bool:
    source = source_of(call, ctx.names, function)
    return source is not None and source.kind == Kind.UNINITIALIZED


def _strip_passthrough(expr: cst.BaseExpression, names: TorchNames) -> cst.BaseExpression:
    while isinstance(expr, cst.Call):
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _SAME_VALUES:
            expr = expr.func.value
        elif _shares_storage(expr, names):
            expr = expr.args[0].value
        else:
            break
    return expr


def _wraps_storage(expr: cst.BaseExpression, names: TorchNames) -> bool:
    """Whether a storage-sharing wrapper stands between ``expr`` and its constructor."""
    while isinstance(expr, cst.Call):
        if _shares_storage(expr, names):
            return True
        if not (isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _SAME_VALUES):
            return False
        expr = expr.func.value
    return False


def _shares_storage(call: cst.Call, names: TorchNames) -> bool:
    """``Variable(x)``: a wrapper around the very storage it is given, values untouched."""
    return (
        len(call.args) >= 1
        and call.args[0].keyword is None
        and (names.qualify(call.func) or "") in _STORAGE_SHARING_WRAPPERS
    )


def _first_effect(uses: list[tuple[int, str]], after: int) -> str:
    """The first write, read, rebinding or escape among the uses from ``after`` on."""
    for order, effect in uses:
        if order >= after and effect in (WRITE, READ, REBIND, ESCAPE):
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

    def visited(self, call: cst.Call) -> bool:
        """Whether the walk met the call (not one in a default value or decorator)."""
        return id(call) in self._call_order

    def order_of(self, call: cst.Call) -> int:
        return self._call_order[id(call)]

    def bound_at(self, value: cst.BaseExpression) -> int:
        """Where the assignment of ``value`` has finished binding its targets."""
        return self._bound_order.get(id(value), self._order + 1)  # never walked: nothing follows it

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
        cast = False  # through a dtype cast: a copy of the values, read unless written at once
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
                elif called and attribute in _SAME_VALUES:
                    cast = cast or attribute not in PASSTHROUGH_METHODS
                    current, index = grand, index - 2  # type: ignore[assignment]
                elif called and attribute == "clone":
                    return NEUTRAL  # attn_buf = attn.clone(): a second scratch buffer, no value read
                elif attribute == "data_ptr":
                    return ESCAPE  # its address goes to native code, which may fill it
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
                if grand.args[0] is parent and _shares_storage(grand, self.ctx.names):
                    current, index = grand, index - 2  # type: ignore[assignment]  # Variable(x): still x
                    continue
                return self._argument_effect(grand, parent)
            elif isinstance(parent, _READING):
                return READ
            else:
                return READ if cast else NEUTRAL  # mask = mask.bool(): the copy carries the garbage on
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
        if qualified is not None and qualified.startswith("torch.distributed.") and parts[-1] in RECEIVING_COLLECTIVES:
            return WRITE  # dist.broadcast(buf, src): the receiving ranks' buffer is written
        if qualified is not None and qualified.startswith("torch.") and not self.ctx.names.is_parameter_class(call.func):
            return READ
        if is_torch_module(call.func, self.function, self.ctx.index):
            return READ  # self.rnn(x, hidden): a torch layer reads its inputs
        if len(parts) >= 2 and parts[-1] in READING_METHODS and qualified is None:
            return READ  # x.matmul(w), out.copy_(w): a tensor method reads its operands
        if len(parts) == 1 and parts[0] in _INSPECTING:
            return NEUTRAL
        if parts[-1][:1].isupper():
            return READ  # Report(value=torch.Tensor(idx)): a class keeps the values as data, it fills nothing
        return ESCAPE  # an unknown callee may fill it (fairseq's broadcast wrapper): never cry wolf
