"""How a module class's own code uses its attributes, read from its source with ``ast`` (no forward pass).

Every method of the class and of its bases up to ``nn.Module`` is read (``forward``, but also the
helpers a forward calls: ``_pos_embed``, ``get_attention_biases``), once per class.  For each
``self.<name>`` the strongest use wins: contracted by a matrix product or convolution (a weight, with
the contracted side), joined into a sequence as tokens, looked up by index, added to activations,
scaled element-wise.  Views (``.view``, ``[None, :]``), element-wise functions (``sigmoid``, ``exp``)
and local names are followed.  Two more facts only the source has are read with it: whether a
product's scale is removed by a normalization it flows into, and whether a position term is added
after tokens join a sequence.  (Which child feeds which is :mod:`feeds`.)
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from torch import nn

# kinds of use; the role builder (roles.py) turns them into roles
CONTRACTED, TOKENS, LOOKUP, ADDED, SCALED, BIAS, NORM_GAIN = (
    "contracted", "tokens", "lookup", "added", "scaled", "bias", "norm-gain")
_PRIORITY = (CONTRACTED, TOKENS, LOOKUP, ADDED, BIAS, NORM_GAIN, SCALED)

_MATMULS = {"matmul", "mm", "bmm"}
_ADDMATMULS = {"addmm", "baddbmm", "addbmm"}
_CONVOLUTIONS = {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}
_NORM_FUNCTIONS = {"layer_norm": 2, "group_norm": 2, "rms_norm": 2, "batch_norm": 3, "instance_norm": 3}
PASSTHROUGH = {"to", "view", "reshape", "contiguous", "float", "half", "bfloat16", "type_as", "unsqueeze", "squeeze",
               "flatten", "clone", "detach"}
ELEMENTWISE = {"sigmoid", "tanh", "exp", "softplus", "abs", "neg", "sqrt", "square", "relu", "silu", "gelu", "log",
               "sin", "cos", "clamp", "clip", "exp2", "expm1"}
TRANSPOSES = {"t", "transpose", "T", "mT", "permute", "swapaxes", "movedim"}
_BROADCASTS = {"expand", "repeat"}
_JOINS = {"cat", "concat", "concatenate", "stack"}
_MAX_NAME_HOPS = 3


@dataclass(frozen=True)
class Usage:
    """How the class's code uses one attribute."""

    kind: str  # one of the kinds above
    contracted: str = ""  # CONTRACTED: "last", "second_last", "conv", or an einsum "ijk:ij"
    normalizer: str = ""  # CONTRACTED: what removes the product's scale ("F.normalize", "softmax(-1)", "self.norm")
    positioned: bool = False  # TOKENS: a position term is added after they appear


def callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _constant(node: ast.AST, value) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return node.operand.value == -value
    return isinstance(node, ast.Constant) and node.value == value and not isinstance(node.value, bool)


def _argument(call: ast.Call, position: int, keyword: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


# -- one method --------------------------------------------------------------------------------


class Method:
    """One method's tree with parent links, its receiver name and its local names' assignments."""

    def __init__(self, function: ast.FunctionDef) -> None:
        self.function = function
        self.receiver = function.args.args[0].arg if function.args.args else ""
        self.parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}

    def self_attribute(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == self.receiver:
            return node.attr
        return None

    def loads_after(self, name: str, line: int) -> list[ast.Name]:
        return [node for node in ast.walk(self.function)
                if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
                and node.lineno > line]

    def assigned_name(self, node: ast.AST) -> str | None:
        """The local name ``node`` is assigned to (``x = node``), if that is what its parent does."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0]
            return target.id if isinstance(target, ast.Name) else None
        return None


def _is_view_index(index: ast.AST) -> bool:
    """``[None, :, 0]``-style indexing: a view of the tensor, not a lookup of rows by index."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return all(isinstance(part, ast.Slice) or (isinstance(part, ast.Constant) and (
        part.value is None or part.value is Ellipsis or isinstance(part.value, int))) for part in parts)


def _broadcast_only(call: ast.Call, method: str) -> bool:
    """``t.expand(B, -1, -1)`` / ``t.repeat(B, 1, 1)`` / ``t.expand((B, *t.size()))``: copies per batch row only
    (an expand can only keep a size or widen a size-1 axis, so a constant there keeps it)."""
    args = list(call.args)
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = list(args[0].elts)
    rest = args[1:]
    if not rest:
        return False
    if method == "expand":
        return all(isinstance(arg, ast.Starred) or _constant(arg, -1) or
                   (isinstance(arg, ast.Constant) and isinstance(arg.value, int)) for arg in rest)
    return all(_constant(arg, 1) or isinstance(arg, ast.Starred) for arg in rest)


def _whole(index: ast.AST) -> bool:
    """``[None]``, ``[:, None]``, ``[...]``: a view of the whole tensor; bounded slices and integers take a part."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return all((isinstance(part, ast.Slice) and part.lower is None and part.upper is None and part.step is None)
               or (isinstance(part, ast.Constant) and part.value in (None, Ellipsis)) for part in parts)


def _joined_along_tokens(call: ast.Call) -> bool:
    dim = _argument(call, 1, "dim")
    return not (dim is not None and _constant(dim, -1))


def _climb(method: Method, node: ast.AST, hops: int = 0) -> Usage | None:
    """The use of the value at ``node``: follow views, element-wise functions and local names to the consumer.

    Tokens are a parameter joined to a sequence as it is (through views of the whole of it): a part of a
    table, or a value that went through a local name, joined to others is a table being assembled."""
    transposed, partial = False, hops > 0
    while True:
        parent = method.parents.get(node)
        if parent is None:
            return None
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = method.parents.get(parent)
            if parent.attr in ("T", "mT"):
                transposed, node = not transposed, parent
                continue
            if not (isinstance(call, ast.Call) and call.func is parent):
                return None
            if parent.attr in _BROADCASTS:
                return Usage(TOKENS if _broadcast_only(call, parent.attr) and not partial else LOOKUP)
            if parent.attr == "softmax":
                return None
            if parent.attr in TRANSPOSES:
                transposed, node = not transposed, call
                continue
            if parent.attr in PASSTHROUGH or parent.attr in ELEMENTWISE:
                node = call
                continue
            return None
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if _is_view_index(parent.slice):
                partial = partial or not _whole(parent.slice)
                node = parent
                continue
            return Usage(LOOKUP)
        if isinstance(parent, ast.UnaryOp):
            node = parent
            continue
        if isinstance(parent, (ast.List, ast.Tuple)):
            call = method.parents.get(parent)
            if isinstance(call, ast.Call) and callee(call) in _JOINS:
                return Usage(TOKENS if _joined_along_tokens(call) and not partial else LOOKUP)
            return None
        if isinstance(parent, ast.Call) and callee(parent) in ELEMENTWISE and parent.args and parent.args[0] is node:
            node = parent
            continue
        name = method.assigned_name(node)
        if name is not None:
            return _follow_name(method, name, node.lineno, hops)
        return _classify(method, parent, node, transposed)


def _follow_name(method: Method, name: str, line: int, hops: int) -> Usage | None:
    if hops >= _MAX_NAME_HOPS:
        return None
    for load in method.loads_after(name, line):
        usage = _climb(method, load, hops + 1)
        if usage is not None:
            return usage
    return None


def _classify(method: Method, parent: ast.AST, child: ast.AST, transposed: bool) -> Usage | None:
    if isinstance(parent, ast.BinOp):
        if isinstance(parent.op, ast.MatMult):
            left = parent.left is child
            return _contracted(method, parent, "last" if left != transposed else "second_last")
        if isinstance(parent.op, (ast.Add, ast.Sub)):
            return Usage(ADDED)
        if isinstance(parent.op, (ast.Mult, ast.Div)):
            return Usage(SCALED)
        return None
    if not isinstance(parent, ast.Call):
        return None
    name = callee(parent)
    keyword = next((kw.arg for kw in parent.keywords if kw.value is child), None)
    index = next((i for i, arg in enumerate(parent.args) if arg is child), None)
    if name == "linear":
        if index == 1 or keyword == "weight":
            return _contracted(method, parent, "second_last" if transposed else "last")
        return Usage(BIAS) if index == 2 or keyword == "bias" else None
    if name in _MATMULS or name in _ADDMATMULS:
        first = 1 if name in _ADDMATMULS else 0
        if index == first:
            return _contracted(method, parent, "last" if not transposed else "second_last")
        if index == first + 1:
            return _contracted(method, parent, "second_last" if not transposed else "last")
        return Usage(BIAS) if index == 0 else None
    if name == "einsum" and index:
        return _einsum_usage(method, parent, index)
    if name in _CONVOLUTIONS:
        if index == 1 or keyword == "weight":
            return _contracted(method, parent, "conv")
        return Usage(BIAS) if index == 2 or keyword == "bias" else None
    if name in ("embedding", "embedding_bag") and (index == 1 or keyword == "weight"):
        return Usage(LOOKUP)
    if name in _NORM_FUNCTIONS:
        gain_at = _NORM_FUNCTIONS[name]
        if index == gain_at or keyword == "weight":
            return Usage(NORM_GAIN)
        return Usage(BIAS) if index == gain_at + 1 or keyword == "bias" else None
    if name in ("mul", "multiply", "div"):
        return Usage(SCALED)
    if name == "add":
        return Usage(ADDED)
    return None


def _einsum_usage(method: Method, call: ast.Call, index: int) -> Usage | None:
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return None
    equation = call.args[0].value.replace(" ", "")
    if "->" not in equation or "." in equation:
        return None
    inputs, output = equation.split("->")
    operands = inputs.split(",")
    if index - 1 >= len(operands):
        return None
    mine = operands[index - 1]
    others = "".join(op for i, op in enumerate(operands) if i != index - 1)
    contracted = "".join(letter for letter in mine if letter in others and letter not in output)
    return _contracted(method, call, f"{mine}:{contracted}") if contracted else None


def _contracted(method: Method, product: ast.AST, side: str) -> Usage:
    return Usage(CONTRACTED, side, normalizer=_normalizer(method, product))


# -- scale-invariant use -----------------------------------------------------------------------


def _normalizer(method: Method, node: ast.AST, hops: int = 0) -> str:
    """What removes the scale of the value at ``node``: a normalization it reaches through scalings,
    views and local names ("F.normalize", "layer_norm", "softmax(-1)", "self.<child>"), or ``""``."""
    while True:
        parent = method.parents.get(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Mult, ast.Div)):
            node = parent
            continue
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = method.parents.get(parent)
            if not (isinstance(call, ast.Call) and call.func is parent):
                return ""
            if parent.attr == "softmax":
                dim = _argument(call, 0, "dim")
                return "softmax(-1)" if dim is not None and _constant(dim, -1) else ""
            if parent.attr in PASSTHROUGH:
                node = call
                continue
            return ""
        if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
            name = callee(parent)
            if name == "normalize" or name in _NORM_FUNCTIONS:
                return "F.normalize" if name == "normalize" else name
            if name == "softmax":
                dim = _argument(parent, 1, "dim")
                return "softmax(-1)" if dim is not None and _constant(dim, -1) else ""
            child = method.self_attribute(parent.func)
            return f"self.{child}" if child else ""
        name = method.assigned_name(node)
        if name is None or hops >= _MAX_NAME_HOPS:
            return ""
        loads = method.loads_after(name, node.lineno)
        found = {_normalizer(method, load, hops + 1) for load in loads}
        return found.pop() if len(found) == 1 and loads else ""


# -- the class ---------------------------------------------------------------------------------


def _positioned_after(method: Method, line: int) -> bool:
    """Whether a position term is added after ``line``: ``x = x + self.pos_embed``, ``+ position_embeddings``."""
    for node in ast.walk(method.function):
        if getattr(node, "lineno", 0) <= line:
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            operands = (node.left, node.right)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            operands = (node.value,)
        else:
            continue
        if any(_mentions_position(operand) for operand in operands):
            return True
    return False


def _mentions_position(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        name = inner.id if isinstance(inner, ast.Name) else inner.attr if isinstance(inner, ast.Attribute) else ""
        if any(part.startswith("pos") for part in name.lower().split("_")):
            return True
    return False


def _functions(cls: type) -> Iterator[ast.FunctionDef]:
    """The methods defined by ``cls`` and its bases up to ``nn.Module`` (torch's own classes left out)."""
    for klass in cls.__mro__:
        if klass is nn.Module or klass is object or klass.__module__.split(".")[0] in ("torch", "builtins"):
            continue
        yield from _class_functions(klass)


@lru_cache(maxsize=None)
def _class_functions(klass: type) -> tuple[ast.FunctionDef, ...]:
    """Each method ``klass`` defines, parsed from its own source lines (robust for classes inside functions)."""
    found = []
    for value in vars(klass).values():
        function = inspect.unwrap(value) if inspect.isfunction(value) else None
        if function is None:
            continue
        node = _parsed_function(function)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.args.args:
            found.append(node)
    return tuple(found)


def _parsed_function(function) -> ast.AST | None:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:  # a string literal at column 0 keeps dedent from working: parse it inside a block
        try:
            tree = ast.parse("if True:\n" + source).body[0]
        except SyntaxError:
            return None
    return tree.body[0] if tree.body else None


def _uses(method: Method) -> Iterator[tuple[str, Usage]]:
    for node in ast.walk(method.function):
        attribute = method.self_attribute(node)
        if attribute is None or not isinstance(node.ctx, ast.Load):
            continue
        usage = _climb(method, node)
        if usage is not None and usage.kind == TOKENS:
            usage = Usage(TOKENS, positioned=_positioned_after(method, node.lineno))
        if usage is not None:
            yield attribute, usage


def _merged(found: dict[str, list[Usage]]) -> dict[str, Usage]:
    """One usage per attribute: the strongest kind; a product is scale-invariant only if every one is."""
    merged = {}
    for attribute, usages in found.items():
        kind = min((u.kind for u in usages), key=_PRIORITY.index)
        same = [u for u in usages if u.kind == kind]
        first = same[0]
        if kind == CONTRACTED and any(u.normalizer != first.normalizer for u in same):
            first = Usage(CONTRACTED, first.contracted)
        elif kind == TOKENS:
            first = Usage(TOKENS, positioned=any(u.positioned for u in same))
        merged[attribute] = first
    return merged


@lru_cache(maxsize=None)
def class_usages(cls: type) -> dict[str, Usage]:
    """How the source of ``cls`` (and its bases) uses each ``self.<name>``; empty when there is no source."""
    found: dict[str, list[Usage]] = {}
    for method in methods(cls):
        for attribute, usage in _uses(method):
            found.setdefault(attribute, []).append(usage)
    return _merged(found)


@lru_cache(maxsize=None)
def methods(cls: type) -> tuple[Method, ...]:
    """The methods of ``cls`` and its bases up to ``nn.Module`` (torch's own classes left out), parsed."""
    return tuple(Method(function) for function in _functions(cls))
