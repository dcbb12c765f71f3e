"""Which child's output feeds which input, read from a module class's source: to find zero layers in series.

A small abstract interpretation of each method (:mod:`usage` parses them): for each local value, the
attributes whose output it is made of.  A call of ``self.<child>(value)`` or a product with
``self.<param>`` records that the child (or parameter) receives that value.  Only calls known to keep a
zero value zero element by element (activations, views, dropout) pass their input on; any other call
makes "anything" (``?``), so a chain is only claimed when the code shows it.  Also read here: which
children are called on a transposed value (``self.mlp(x.transpose(1, 2))``), the layers that mix along
the token axis.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from .usage import ELEMENTWISE, PASSTHROUGH, TRANSPOSES, Method, callee, methods

UNKNOWN_SOURCE = "?"
# calls that keep an all-zero (or all-constant) value so, element by element: activations, views, dropout
_ZERO_PRESERVING = ELEMENTWISE | PASSTHROUGH | TRANSPOSES | {
    "dropout", "leaky_relu", "elu", "selu", "mish", "hardswish", "hardtanh", "relu6", "glu", "chunk", "split",
    "unbind", "permute", "expand", "expand_as", "repeat"}


class _Feeds:
    """A small abstract interpretation of one method: for each local value, the attributes whose
    output it is made of (``?`` for anything else: arguments, constants of unknown size, results of
    calls it cannot follow).  A call of ``self.<child>(value)`` or a product with ``self.<param>``
    records that the child (or parameter) receives that value."""

    def __init__(self, method: Method) -> None:
        self.method = method
        self.env: dict[str, frozenset[str]] = {}
        self.aliases: dict[str, str] = {}  # local name -> child attribute (``lora_A = self.lora_A[name]``)
        self.feeds: list[tuple[str, frozenset[str]]] = []

    def run(self) -> list[tuple[str, frozenset[str]]]:
        self._block(self.method.function.body, nested=False)
        return self.feeds

    def _block(self, statements: list[ast.stmt], nested: bool) -> None:
        for statement in statements:
            if isinstance(statement, ast.Assign):
                self._assign(statement.targets, statement.value, nested)
            elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
                name = statement.target.id
                self.env[name] = self.env.get(name, frozenset({UNKNOWN_SOURCE})) | self.value(statement.value)
            elif isinstance(statement, (ast.Expr, ast.Return)) and statement.value is not None:
                self.value(statement.value)
            elif isinstance(statement, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                for body in ("body", "orelse", "finalbody"):
                    self._block(getattr(statement, body, []), nested=True)
                for handler in getattr(statement, "handlers", []):
                    self._block(handler.body, nested=True)

    def _assign(self, targets: list[ast.expr], value: ast.expr, nested: bool) -> None:
        alias = self._child(value)
        sources = self.value(value)
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            names = [element.id for element in elements if isinstance(element, ast.Name)]
            for name in names:
                if alias is not None:
                    self.aliases[name] = alias
                self.env[name] = self.env.get(name, frozenset()) | sources if nested else sources

    def _child(self, node: ast.AST) -> str | None:
        """``self.x`` or ``self.x[...]`` (a child, or an element of a ModuleDict/ModuleList child)."""
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        return self.method.self_attribute(node)

    def value(self, node: ast.AST) -> frozenset[str]:
        if isinstance(node, ast.Constant):
            return frozenset()
        if isinstance(node, ast.Name):
            return self.env.get(node.id, frozenset({UNKNOWN_SOURCE}))
        attribute = self.method.self_attribute(node)
        if attribute is not None:
            return frozenset({attribute})
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node.op, ast.MatMult):
                weights = []
                for operand, other in ((node.right, left), (node.left, right)):
                    weight = self._parameter(operand)
                    if weight is not None:
                        self.feeds.append((weight, other))
                        weights.append(weight)
                if weights:
                    return frozenset(weights)  # a product is zero when its weight is
            return left | right
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Subscript, ast.Attribute, ast.UnaryOp, ast.Starred)):
            inner = node.value if isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)) else node.operand
            return self.value(inner)
        if isinstance(node, (ast.List, ast.Tuple)):
            return frozenset().union(*(self.value(element) for element in node.elts))
        return frozenset({UNKNOWN_SOURCE})

    def _parameter(self, node: ast.AST) -> str | None:
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TRANSPOSES:
            node = node.func.value
        while isinstance(node, ast.Attribute) and node.attr in ("T", "mT"):
            node = node.value
        return self.method.self_attribute(node)

    def _call(self, call: ast.Call) -> frozenset[str]:
        arguments = [self.value(arg) for arg in call.args] + [self.value(kw.value) for kw in call.keywords]
        child = self._child(call.func)
        if child is not None:
            self.feeds.append((child, arguments[0] if arguments else frozenset({UNKNOWN_SOURCE})))
            return frozenset({child})
        name = callee(call)
        if name == "linear" and len(call.args) >= 2:
            weight = self._parameter(call.args[1])
            if weight is not None:
                self.feeds.append((weight, arguments[0]))
                return frozenset({weight}) | (arguments[2] if len(arguments) > 2 else frozenset())
        if name not in _ZERO_PRESERVING:
            return frozenset({UNKNOWN_SOURCE})  # a call it cannot see into may make anything of its input
        if isinstance(call.func, ast.Attribute) and not isinstance(call.func.value, ast.Name):
            return self.value(call.func.value)  # x.view(...), self.fc(x).relu()
        return arguments[0] if arguments else frozenset({UNKNOWN_SOURCE})


def _transposed_calls(method: Method) -> set[str]:
    """Children (or ``super``) called on a transposed value: ``self.mlp(x.transpose(1, 2))``."""
    found = set()
    for node in ast.walk(method.function):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        transposed = (isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                      and first.func.attr in TRANSPOSES) or (
            isinstance(first, ast.Attribute) and first.attr in ("T", "mT"))
        if not transposed:
            continue
        child = method.self_attribute(node.func)
        if child:
            found.add(child)
        elif (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call)
              and callee(node.func.value) == "super"):
            found.add("super")
    return found


@lru_cache(maxsize=None)
def class_feeds(cls: type) -> tuple[tuple[str, frozenset[str]], ...]:
    """(consumer, the attributes whose output reaches its input), for every call in the class's code."""
    return tuple(feed for method in methods(cls) for feed in _Feeds(method).run())


@lru_cache(maxsize=None)
def transposed_calls(cls: type) -> frozenset[str]:
    """Children (or ``super``) that the class's code calls on a transposed value."""
    return frozenset(name for method in methods(cls) for name in _transposed_calls(method))
