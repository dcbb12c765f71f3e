"""Reading single libcst nodes: dotted names, call arguments, the code a node spells.

One helper per question, shared by every layer above: the analysis, the rules and the
fixes ask them thousands of times per file.
"""

from __future__ import annotations

import libcst as cst

from ruff_like_rules.syntax.walk import children

_EMPTY_MODULE = cst.Module([])


def dotted_parts(node: cst.BaseExpression) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything that is not a plain dotted name."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    parts.reverse()
    return parts


def dotted_name(node: cst.BaseExpression) -> str:
    """``a.b.c`` as ``"a.b.c"``; "" for anything that is not a plain dotted name."""
    parts = dotted_parts(node)
    return ".".join(parts) if parts else ""


def code_of(node: cst.CSTNode) -> str:
    """The source a node spells, without the file around it."""
    return _EMPTY_MODULE.code_for_node(node)


def is_name(node: cst.BaseExpression, name: str | None) -> bool:
    """``node`` is the bare name ``name`` (never true for ``name=None``)."""
    return name is not None and isinstance(node, cst.Name) and node.value == name


def method_name(call: cst.Call) -> str | None:
    """``m`` for ``x.m(...)``; None for a call of a bare name."""
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    """The value passed as ``keyword=``, else the ``position``-th positional one."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position < len(positional):
        return positional[position].value
    return None


def keyword_is_true(call: cst.Call, keyword: str) -> bool:
    """``keyword=True`` is among the call's arguments."""
    return any(
        a.keyword is not None and a.keyword.value == keyword and is_name(a.value, "True") for a in call.args
    )


def names_in(expr: cst.CSTNode) -> list[str]:
    """Every bare name inside ``expr``."""
    found: list[str] = []
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name):
            found.append(node.value)
        else:
            pending.extend(children(node))
    return found


def self_attribute(node: cst.BaseExpression, self_name: str | None) -> str | None:
    """``x`` for ``self.x`` (with the method's own name for ``self``)."""
    parts = dotted_parts(node)
    if parts is not None and len(parts) == 2 and self_name is not None and parts[0] == self_name:
        return parts[1]
    return None
