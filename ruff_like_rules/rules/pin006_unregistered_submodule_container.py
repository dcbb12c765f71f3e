"""PIN006: layers or parameters kept in a plain list, tuple or dict on a module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ruff_like_rules.rules.api import (
    MODULE_METHODS,
    Applicability,
    ClassInfo,
    Facts,
    FileContext,
    Finding,
    FixAvailability,
    Invalid,
    Registration,
    Rule,
    TorchNames,
    is_torch_module_class,
    method_name,
)

_CLASS_CALL = r"(?:\w+\.)*_?[A-Z]\w*\s*\("
_EMPTY = r"(?:\[\]|\{\}|list\(\)|dict\(\)|OrderedDict\(\))"
_FILL = (
    r"(?:\.(?:append|insert)\(\s*(?:[^()\n,]*,\s*)?(?:" + _CLASS_CALL + r"|\w+\s*\))"
    r"|\.extend\(\s*[\[(]?\s*" + _CLASS_CALL + r"|\[[^\]\n]*\]\s*=\s*" + _CLASS_CALL + ")"
)
_BUILTIN_CONTAINERS = {"list": "list", "tuple": "tuple", "dict": "dict", "set": "set"}
_WRAPPERS = {
    ("module", "list"): "torch.nn.ModuleList",
    ("module", "dict"): "torch.nn.ModuleDict",
    ("parameter", "list"): "torch.nn.ParameterList",
    ("parameter", "dict"): "torch.nn.ParameterDict",
}


@dataclass
class _Container:
    shape: str  # "list", "tuple", "set" or "dict"
    elements: list[cst.BaseExpression | None]  # None: something that cannot be read (``*rest``)
    keys: list[cst.BaseExpression | None]
    empty: bool


class UnregisteredSubmoduleContainer(Rule):
    """
    ## What it does
    Checks for `nn.Module` subclasses whose construction assigns to `self` a plain list,
    tuple or dict — a literal, a comprehension, or an empty one filled with `.append`,
    `.insert`, `.extend` or item assignment — that holds `nn.Module`s or `nn.Parameter`s.
    An element counts as a module when it is made by a `torch.nn` layer class (aliases
    followed) or a class of the same file that derives from one; classes from other
    packages are not assumed to be modules. Containers whose elements are registered
    another way (also assigned to `self`, `add_module`, `setattr`, or handed to
    `nn.Sequential(*layers)`) are not flagged, nor are lists of names, sizes or ints.

    ## Why is this bad?
    `nn.Module.__setattr__` registers Parameters, Modules and buffers, not containers of
    them. The layers in a plain list are missing from `parameters()` — the optimizer never
    trains them — from `state_dict()`, and from `.to(device)`, `.train()` and `.eval()`.

    ## Example
    ```python
    class Tower(nn.Module):
        def __init__(self, d, n):
            super().__init__()
            self.blocks = [nn.Linear(d, d) for _ in range(n)]
    ```

    ## Use instead
    ```python
    class Tower(nn.Module):
        def __init__(self, d, n):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(n)])
    ```

    ## Fix safety
    Where every element is a module (or every one a parameter) the fix wraps the container
    in `nn.ModuleList`, `nn.ModuleDict`, `nn.ParameterList` or `nn.ParameterDict` (dicts
    only with string keys). It is unsafe: it changes what `parameters()` and `state_dict()`
    return, and a tuple becomes a list.
    """

    code = "PIN006"
    name = "unregistered-submodule-container"
    summary = "Modules or parameters kept in a plain list, tuple or dict: not registered"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(
        r"self\.\w+\s*(?::[^=\n]*)?=\s*(?:\[\s*" + _CLASS_CALL
        + r"|\{\s*[^{}:\n]*:\s*" + _CLASS_CALL + r"|(?:list|tuple|dict)\(\s*(?:\w+\s*=\s*)?" + _CLASS_CALL + r")"
        + r"|self\.(?P<pin006_filled>\w+)\s*(?::[^=\n]*)?=\s*" + _EMPTY
        + r"(?=[\s\S]{0,3000}?self\.(?P=pin006_filled)" + _FILL + ")"
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        registration = ctx.registration
        for cls in registration.classes:
            construction = registration.construction_of(cls)
            if construction:
                yield from self._check_class(ctx, registration, cls, construction)

    def _check_class(self, ctx: FileContext, registration: Registration, cls: ClassInfo, construction: list[Facts]) -> Iterator[Finding]:
        containers: dict[str, list[tuple[Facts, cst.BaseExpression, _Container]]] = {}
        other_values: set[str] = set()
        for facts in construction:
            for attribute, value, _ in facts.assigns:
                container = _container(value, ctx.names)
                if container is None:
                    other_values.add(attribute)
                else:
                    containers.setdefault(attribute, []).append((facts, value, container))
        handed_on = {name for facts in construction for name in facts.call_arguments}
        registered = registration.registered_attributes(cls)
        for attribute, assigned in containers.items():
            if attribute in other_values or attribute in registered:
                continue
            fills = [(facts, how, value) for facts in construction for name, how, value in facts.fills if name == attribute]
            for facts, value, container in assigned:
                if f"{facts.function.self_name}.{attribute}" in handed_on:
                    continue
                finding = self._judge(ctx, registration, facts, attribute, value, container, fills)
                if finding is not None:
                    yield finding

    def _judge(self, ctx, registration, facts, attribute, value, container, fills) -> Finding | None:
        elements = [(facts, element) for element in container.elements]
        keys = list(container.keys)
        shape = container.shape
        for filler, how, filled in fills:
            if how == "key":
                keys.append(filled)
            elif how in ("extend", "update"):
                inner = _container(filled, ctx.names)
                elements.extend((filler, e) for e in (inner.elements if inner is not None else [None]))
                keys.extend(inner.keys if inner is not None else [])
            else:
                elements.append((filler, filled))
        # a stateless module (no parameters, buffers or train/eval behaviour) misses nothing
        # in a plain list, but beside stateful ones it is wrapped with them
        kinds = {_element_kind(registration, filler, element) for filler, element in elements}
        if "module" in kinds:
            kinds = {"module" if kind == "stateless" else kind for kind in kinds}
        held = kinds & {"module", "parameter", "nested"}
        if not held or not registration.concerns(self, facts.function):
            return None
        what = " and ".join(sorted({"nested": "containers of modules", "module": "modules", "parameter": "parameters"}[k] for k in held))
        wrapper = _WRAPPERS.get((next(iter(kinds)), "dict" if shape == "dict" else "list")) if len(kinds) == 1 else None
        fix = None
        if wrapper is not None and (shape != "dict" or all(_is_string(k) for k in keys)):
            spelled = registration.spelling(wrapper)
            if spelled is not None:
                fix = ctx.replacement(value, _wrapped(value, container, spelled), f"Use `{spelled}`", Applicability.UNSAFE)
        advice = f"use `{wrapper.rsplit('.', 1)[-1]}`" if wrapper else "use `nn.ModuleList`/`nn.ModuleDict`"
        return ctx.finding(
            self,
            value,
            f"`{facts.function.self_name}.{attribute}` is a plain {shape} holding {what}: "
            f"`parameters()`, `state_dict()` and `.to()` do not see them; {advice}",
            fix,
        )

    VALID = (
        """
import torch
from torch import nn

class Tower(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(n)])
        self.sizes = [d] * n
        self.names = ["a", "b"]
        self.head = nn.Linear(d, 1)
        self.parts = [self.head]
""",
        """
from torch import nn

class Stack(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.layers = [nn.Linear(d, d) for _ in range(n)]
        self.net = nn.Sequential(*self.layers)
""",
        """
from torch import nn

class Plain:
    def __init__(self, d):
        self.layers = [nn.Linear(d, d)]
""",
        """
from torch import nn

class Pretraining(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.head = nn.Linear(d, d)
        self.losses = {"l2": nn.SmoothL1Loss(reduction="none"), "ce": nn.CrossEntropyLoss()}
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (7, 23, "`self.blocks` is a plain list holding modules: `parameters()`, `state_dict()` and `.to()` do "
                        "not see them; use `ModuleList`"),
                (8, 22, "`self.heads` is a plain dict holding modules: `parameters()`, `state_dict()` and `.to()` do "
                        "not see them; use `ModuleDict`"),
            ),
            source="""
from torch import nn

class Tower(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = [nn.Linear(d, d) for _ in range(n)]
        self.heads = {"a": nn.Linear(d, 1), "b": nn.Linear(d, 2)}
""",
            fixed="""
from torch import nn

class Tower(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(n)])
        self.heads = nn.ModuleDict({"a": nn.Linear(d, 1), "b": nn.Linear(d, 2)})
""",
            applicability=Applicability.UNSAFE,
        ),
        Invalid(
            findings=(
                (13, 23, "`self.blocks` is a plain list holding modules: `parameters()`, `state_dict()` and `.to()` "
                         "do not see them; use `ModuleList`"),
            ),
            source="""
import torch as th
from torch.nn import Module, ModuleList, Linear

class Block(Module):
    def __init__(self, d):
        super().__init__()
        self.fc = Linear(d, d)

class Net(Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = []
        for _ in range(n):
            self.blocks.append(Block(d))
""",
            fixed="""
import torch as th
from torch.nn import Module, ModuleList, Linear

class Block(Module):
    def __init__(self, d):
        super().__init__()
        self.fc = Linear(d, d)

class Net(Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = ModuleList()
        for _ in range(n):
            self.blocks.append(Block(d))
""",
            applicability=Applicability.UNSAFE,
        ),
        Invalid(
            findings=(
                (7, 22, "`self.parts` is a plain list holding modules: `parameters()`, `state_dict()` and `.to()` do "
                        "not see them; use `nn.ModuleList`/`nn.ModuleDict`"),
            ),
            applicability=Applicability.UNSAFE,  # and no fix at all: only some elements are modules
            source="""
from torch import nn

class Net(nn.Module):
    def __init__(self, d, extra):
        super().__init__()
        self.parts = [nn.Linear(d, d), extra]
""",
        ),
    )


def _container(expr: cst.BaseExpression, names: TorchNames) -> _Container | None:
    """A list, tuple, set or dict built in place: literal, comprehension or builtin call."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        shape = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(expr)]
        elements = [None if isinstance(e, cst.StarredElement) else e.value for e in expr.elements]
        return _Container(shape, elements, [], not elements)
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        return _Container("list" if not isinstance(expr, cst.SetComp) else "set", [expr.elt], [], False)
    if isinstance(expr, cst.Dict):
        pairs = [e for e in expr.elements if isinstance(e, cst.DictElement)]
        unreadable = [None] * (len(expr.elements) - len(pairs))
        return _Container("dict", [p.value for p in pairs] + unreadable, [p.key for p in pairs] + unreadable, not expr.elements)
    if isinstance(expr, cst.DictComp):
        return _Container("dict", [expr.value], [expr.key], False)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        for side in (expr.left, expr.right):
            if isinstance(side, (cst.List, cst.Tuple)):
                return _container(side, names)
        return None
    if isinstance(expr, cst.Call):
        qualified = names.qualify(expr.func)
        if qualified == "collections.OrderedDict" and not expr.args:
            return _Container("dict", [], [], True)
        if not isinstance(expr.func, cst.Name) or expr.func.value not in _BUILTIN_CONTAINERS or qualified is not None:
            return None
        shape = _BUILTIN_CONTAINERS[expr.func.value]
        if not expr.args:
            return _Container(shape, [], [], True)
        if shape == "dict" and all(a.keyword is not None for a in expr.args):
            return _Container("dict", [a.value for a in expr.args], [cst.SimpleString(f'"{a.keyword.value}"') for a in expr.args], False)  # type: ignore[union-attr]
        if len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star:
            inner = _container(expr.args[0].value, names)
            if inner is not None:
                return _Container(shape, inner.elements, inner.keys, inner.empty)
        return None
    return None


def _element_kind(registration: Registration, facts: Facts, expr: cst.BaseExpression | None, seen: frozenset[str] = frozenset()) -> str | None:
    """"module", "parameter", "nested" (a container holding them), "registered" or None (unknown)."""
    names = registration.names
    if expr is None:
        return None
    if isinstance(expr, cst.Call):
        if names.is_parameter_class(expr.func):
            return "parameter"
        method = method_name(expr)
        if method in MODULE_METHODS and names.qualify(expr.func.value) is None:  # type: ignore[union-attr]
            return _element_kind(registration, facts, expr.func.value, seen)  # type: ignore[union-attr]
        qualified = names.qualify(expr.func)
        if is_torch_module_class(qualified) and not _stateless_loss(qualified, expr):
            return "module"
        if registration.is_project_module(qualified):
            return "module"
        if qualified is None and isinstance(expr.func, cst.Name) and expr.func.value in registration.same_file_modules():
            return "stateless" if registration.stateless_module(expr.func.value) else "module"
        return None
    if isinstance(expr, cst.Name) and expr.value not in seen:
        if expr.value in facts.registered_locals or expr.value in facts.call_arguments:
            return "registered"
        kinds = {_element_kind(registration, facts, v, seen | {expr.value}) for v in facts.function.local_defs.get(expr.value, ())}
        return kinds.pop() if len(kinds) == 1 else None
    inner = _container(expr, names)
    if inner is not None:
        kinds = {_element_kind(registration, facts, e, seen) for e in inner.elements}
        return "nested" if kinds & {"module", "parameter", "nested"} else None
    return None


def _stateless_loss(qualified: str | None, call: cst.Call) -> bool:
    """``nn.CrossEntropyLoss()``: a torch loss holds no parameters, and no buffer unless it is
    given a ``weight``; kept in a plain dict it misses nothing."""
    if not (qualified or "").endswith("Loss"):
        return False
    return all(arg.keyword is not None and arg.keyword.value not in ("weight", "pos_weight") for arg in call.args)


def _is_string(key: cst.BaseExpression | None) -> bool:
    if isinstance(key, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return True
    return isinstance(key, cst.Call) and isinstance(key.func, cst.Name) and key.func.value == "str"


def _wrapped(value: cst.BaseExpression, container: _Container, spelled: str) -> cst.Call:
    func = cst.parse_expression(spelled)
    if container.empty:
        return cst.Call(func)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("list", "tuple", "dict"):
        return value.with_changes(func=func)
    if isinstance(value, cst.Tuple) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Call(func, [cst.Arg(value)])
