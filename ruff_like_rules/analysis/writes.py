"""What counts as a write, and what it reaches.

A write reaches *roots*: dotted names (``self.weight``, ``w``) with loop variables replaced by
what they iterate (``<all>:self`` for ``for p in self.parameters()``) and locals by the
attributes they alias. An *init function* writes the tensor it is given: ``torch.nn.init.*``,
configured ``init-functions``, imported helpers named like an initializer, and an initializer
the enclosing function was handed (``init_method(self.weight)``, Megatron style).
"""

from __future__ import annotations

import re

import libcst as cst

from ruff_like_rules.analysis.index import ALL, DYNAMIC, MODULES, Function
from ruff_like_rules.syntax.nodes import code_of, dotted_parts, is_name
from ruff_like_rules.vocabulary.torch_api import (
    INIT_FUNCTION_NAMES,
    INITIALIZER_WORDS,
    MODULE_ITERATORS,
    PARAMETER_ITERATORS,
    PASSTHROUGH_METHODS,
    STATE_DICT,
)
from ruff_like_rules.vocabulary.torch_names import TorchNames

# An imported helper whose name says it fills a tensor is trusted to do so.
_INITIALIZER_HELPER = re.compile("|".join(INITIALIZER_WORDS), re.I)


def roots(expr: cst.BaseExpression, function: Function) -> list[tuple[str, str]]:
    """Dotted roots a write through ``expr`` reaches (loop aliases substituted), each with
    the variable it was written through (for ``isinstance`` guards). Writing a gradient
    (``p.grad.zero_()``) or only the padding row (``w[padding_idx].zero_()``) gives the
    storage no values."""
    while True:
        if isinstance(expr, cst.Subscript):
            if any("pad" in code_of(e.slice) for e in expr.slice):
                return []
            expr = expr.value
        elif isinstance(expr, cst.Attribute) and expr.attr.value == "data":
            expr = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in PASSTHROUGH_METHODS:
            expr = expr.func.value
        elif isinstance(expr, cst.Call) and is_name(expr.func, "getattr") and len(expr.args) >= 2:
            base = dotted_parts(expr.args[0].value)
            name = expr.args[1].value
            if base is None:
                return []
            key = name.raw_value if isinstance(name, cst.SimpleString) and name.raw_value.isidentifier() else DYNAMIC
            return _substitute([*base, key], function)
        else:
            break
    parts = dotted_parts(expr)
    if parts is None or "grad" in parts[1:]:
        return []
    return _substitute(parts, function)


def _substitute(parts: list[str], function: Function) -> list[tuple[str, str]]:
    """Loop variables stand for what they iterate; a local bound to an attribute (or a
    slice or view of one: ``w = self.weight``, ``rows = self.staging[:n]``) for that
    attribute too."""
    head = parts[0]
    if head in function.loop_aliases:
        return [(".".join([alias, *parts[1:]]), head) for alias in function.loop_aliases[head]]
    found = [(".".join(parts), head)]
    for value in function.local_defs.get(head, ()):
        attribute = _attribute_behind(value)
        if attribute is not None and attribute[0] != head:
            found.append((".".join([*attribute, *parts[1:]]), head))
    return found


def behind_views(expr: cst.BaseExpression, attributes: frozenset[str] = frozenset()) -> cst.BaseExpression:
    """What a slice, a view, a cast or a device move (and the ``attributes``, such as ``.T``)
    of ``expr`` is taken from: ``self.weight`` for ``self.weight[:n].t().float()``."""
    while True:
        if isinstance(expr, cst.Subscript):
            expr = expr.value
        elif isinstance(expr, cst.Attribute) and expr.attr.value in attributes:
            expr = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in PASSTHROUGH_METHODS:
            expr = expr.func.value
        elif _is_type_cast(expr):
            expr = expr.args[1].value  # type: ignore[attr-defined]
        else:
            return expr


def _is_type_cast(expr: cst.BaseExpression) -> bool:
    """``typing.cast(torch.Tensor, self.score_bias)``: the same object, for the type checker."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 2:
        return False
    parts = dotted_parts(expr.func)
    return parts is not None and parts[-1] == "cast" and len(parts) <= 2


def _attribute_behind(value: cst.BaseExpression) -> list[str] | None:
    parts = dotted_parts(behind_views(value))
    return parts if parts is not None and len(parts) >= 2 else None


def iteration_aliases(iterable: cst.BaseExpression, function: Function) -> list[str]:
    """What a loop variable stands for: every parameter of X, every module of X, or roots."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
        method = iterable.func.attr.value
        owner = dotted_parts(iterable.func.value)
        if method in ("values", "items") and isinstance(iterable.func.value, cst.Call):
            inner = iterable.func.value
            if isinstance(inner.func, cst.Attribute) and inner.func.attr.value == STATE_DICT:
                owner_parts = dotted_parts(inner.func.value)
                return [f"{ALL}:{'.'.join(owner_parts)}"] if owner_parts else []
        if method in ("values", "items") and owner is not None:
            return [root for root, _ in roots(iterable.func.value, function)]  # self.params.values()
        if owner is not None and method in PARAMETER_ITERATORS:
            return [f"{ALL}:{'.'.join(owner)}"]
        if owner is not None and method in MODULE_ITERATORS:
            return [f"{MODULES}:{'.'.join(owner)}"]
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value in ("enumerate", "zip", "reversed", "list", "tuple"):
        aliases: list[str] = []
        for argument in iterable.args:
            aliases.extend(iteration_aliases(argument.value, function))
        return aliases
    if isinstance(iterable, (cst.List, cst.Tuple)):
        found: list[str] = []
        for element in iterable.elements:
            found.extend(root for root, _ in roots(element.value, function))
        return found
    return [root for root, _ in roots(iterable, function) if "." in root or root in function.params]


def is_init_function(
    func: cst.BaseExpression,
    parts: list[str] | None,
    qualified: str | None,
    names: TorchNames,
    init_functions: frozenset[str],
    function: Function,
) -> bool:
    """Whether calling ``func`` (spelled ``parts``, ``qualified`` through the imports) inside
    ``function`` initializes the tensor it is given: ``torch.nn.init.*`` (also
    ``getattr(nn.init, name)`` and a local ``partial`` of one), configured ``init_functions``,
    imported helpers named like one, and an initializer the enclosing function was handed."""
    if isinstance(func, cst.Call) and is_name(func.func, "getattr") and func.args:
        return (names.qualify(func.args[0].value) or "") == "torch.nn.init"
    if isinstance(func, cst.Subscript):
        # self._param_init[name](p): an entry of a table of initializers (torchtitan's Module)
        table = dotted_parts(func.value)
        return table is not None and re.search(r"init", table[-1], re.I) is not None
    if parts is None:
        return False
    if ".".join(parts) in init_functions or parts[-1] in init_functions or qualified in init_functions:
        return True
    if qualified is not None:
        if qualified.startswith("torch.nn.init."):
            return True
        if qualified == "torch" or qualified.startswith("torch."):
            return False
    if qualified is None and len(parts) >= 2 and parts[0] in function.params and re.search(r"init", parts[-1], re.I):
        return True  # args.init_method(w): an initializer handed in on a config object
    if len(parts) == 1:
        handed_in = parts[0] in function.params or parts[0] in function.closure_params()
        if handed_in and _INITIALIZER_HELPER.search(parts[0]):
            return True
        for value in function.local_defs.get(parts[0], ()):
            if isinstance(value, cst.Call) and (dotted_parts(value.func) or [""])[-1] == "partial" and value.args:
                value = value.args[0].value
            if (names.qualify(value) or "").startswith("torch.nn.init."):
                return True
    if len(parts) > 1 and qualified is None and _is_local(parts[0], function):
        return False  # p.copy_(src), w.normal_(): a tensor's own method, not init.copy_(dst, src)
    return parts[-1] in INIT_FUNCTION_NAMES or (qualified is not None and bool(_INITIALIZER_HELPER.search(parts[-1])))


def _is_local(name: str, function: Function) -> bool:
    return name in function.params or name in function.local_defs or name in function.loop_aliases or name == function.self_name
