"""Which initializer methods a project calls on instances, in any of its files.

A trainer that builds a model and then calls ``model.init_weights()``, or a parent whose
initializer calls ``m.init_weights()`` on each block, runs that initializer from outside the
class's own construction. A file's own calls of that kind are collected with its index
(``FileIndex.instance_calls``); this reads the other files of the project with ``ast``, the
same way: ``x.name(...)`` whose receiver is neither the enclosing method's own instance nor
``super()`` (nor ``Base.name(self, ...)``). Only names are kept: the receiver's class is
rarely known (``model`` comes from a config-driven factory).
"""

from __future__ import annotations

import ast
import re


def calls_text(names: frozenset[str]) -> re.Pattern[str]:
    """What a file must contain to call one of ``names`` on something (the cheap prefilter)."""
    return re.compile(r"\.(?:" + "|".join(sorted(map(re.escape, names))) + r")\s*\(")


def initializers_called(text: str, names: frozenset[str]) -> frozenset[str]:
    """The methods of ``names`` the file calls on an instance (unparsable text: none)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[str] = set()
    pending: list[tuple[ast.AST, str | None]] = [(tree, None)]
    while pending:
        node, own = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = node.args.posonlyargs + node.args.args
            own = arguments[0].arg if arguments else None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
            if not _own_call(node, own):
                found.add(node.func.attr)
        pending.extend((child, own) for child in ast.iter_child_nodes(node))
    return frozenset(found)


def _own_call(call: ast.Call, own: str | None) -> bool:
    """``self.m()``, ``super().m()`` or ``Base.m(self)``: the instance's own construction."""
    receiver = call.func.value  # type: ignore[attr-defined]
    if isinstance(receiver, ast.Name) and receiver.id == own:
        return True
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
        return True
    first = call.args[0] if call.args else None
    return isinstance(receiver, ast.Name) and isinstance(first, ast.Name) and first.id == own
