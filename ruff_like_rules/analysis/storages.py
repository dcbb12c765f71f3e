"""Storages: the tensors a file makes that become parameters or buffers, each with its factory.

A *storage* is a tensor made by a factory (``torch.empty``, ``torch.Tensor(3, 4)``,
``torch.randn``, ``torch.zeros`` …) that some wrap (``nn.Parameter``, ``register_buffer``) makes
a parameter or buffer; it carries the *roots* it is bound to (``w``, ``self.weight``), which the
initialization flow then asks whether any write reaches. Finding them needs the index only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from ruff_like_rules.analysis.index import DYNAMIC, ClassInfo, FileIndex, Function, exclusive
from ruff_like_rules.analysis.shapes import SizeForm, allocates_nothing, size_form
from ruff_like_rules.analysis.verdicts import Kind, Verdict
from ruff_like_rules.syntax.nodes import argument, dotted_parts, method_name, names_in
from ruff_like_rules.vocabulary.torch_api import (
    CONSTANT_FACTORIES,
    CONTAINER_NAMES,
    EMPTY_FACTORIES,
    EMPTY_METHODS,
    LEGACY_METHODS,
    PASSTHROUGH_METHODS,
    RANDOM_NORMAL_FACTORIES,
    RANDOM_UNIFORM_FACTORIES,
    WRITER_METHODS,
)
from ruff_like_rules.vocabulary.torch_names import TorchNames, legacy_constructor_dtype


@dataclass(frozen=True)
class Source:
    call: cst.Call
    kind: Kind
    display: str  # how the factory is spelled for messages, e.g. "torch.empty"


@dataclass(eq=False)
class Storage:
    source: Source
    function: Function
    wrapper: str  # "parameter" or "buffer"
    branch: tuple[str, ...]
    roots: set[str] = field(default_factory=set)  # local names and dotted attributes bound to it
    wrap_calls: list[cst.Call] = field(default_factory=list)
    verdict: Verdict | None = None  # None until the initialization flow judges it
    initializer: str | None = None  # for initializer-not-called: the method that would do it

    @property
    def owner(self) -> ClassInfo | None:
        return self.function.owner

    def attribute_keys(self) -> set[str]:
        """Attribute names on ``self`` it is bound to (``DYNAMIC`` for setattr with a computed name)."""
        return attribute_keys(self.roots, self.function.self_name)

    @property
    def noun(self) -> str:
        return "Parameter" if self.wrapper == "parameter" else "Buffer"

    def display(self) -> str:
        keys = sorted(self.attribute_keys() - {DYNAMIC})
        if keys and self.function.self_name:
            return f"{self.function.self_name}.{keys[0]}"
        named = sorted(r for r in self.roots if "." not in r)
        dotted = sorted(r for r in self.roots if not r.startswith("<"))  # conv.weight = Parameter(...)
        return named[0] if named else dotted[0] if dotted else self.wrapper


def attribute_keys(roots: set[str], self_name: str | None) -> set[str]:
    """The ``self.<key>`` attributes among ``roots``."""
    keys = set()
    for root in roots:
        parts = root.split(".")
        if self_name and len(parts) == 2 and parts[0] == self_name:
            keys.add(parts[1])
    return keys


def source_of(node: cst.BaseExpression, names: TorchNames, function: Function | None = None) -> Source | None:
    """The factory a call is, if it makes a storage this analysis cares about.

    Raw memory of no elements (``torch.empty(0)``) or on the meta device holds no
    garbage: neither is a source.
    """
    if not isinstance(node, cst.Call) or allocates_nothing(node):
        return None
    if isinstance(node.func, cst.Attribute) and node.func.attr.value in EMPTY_METHODS:
        if names.qualify(node.func.value) is None:  # a method on a tensor, not a module function
            return Source(node, Kind.UNINITIALIZED, f".{node.func.attr.value}")
        return None
    if isinstance(node.func, cst.Attribute) and node.func.attr.value in LEGACY_METHODS:
        if names.qualify(node.func.value) is None and size_form(node, function) == SizeForm.SIZES:
            return Source(node, Kind.UNINITIALIZED, f".{node.func.attr.value}")
        return None
    qualified = names.qualify_torch(node.func)
    if qualified is None:
        return None
    if qualified in EMPTY_FACTORIES:
        return Source(node, Kind.UNINITIALIZED, qualified)
    if legacy_constructor_dtype(qualified) is not None and size_form(node, function) == SizeForm.SIZES:
        return Source(node, Kind.UNINITIALIZED, qualified)
    if qualified in RANDOM_NORMAL_FACTORIES:
        return Source(node, Kind.RANDOM_NORMAL, qualified)
    if qualified in RANDOM_UNIFORM_FACTORIES:
        return Source(node, Kind.RANDOM_UNIFORM, qualified)
    if qualified in CONSTANT_FACTORIES:
        return Source(node, Kind.CONSTANT, qualified)
    return None


class Provenance:
    """Which storages an expression evaluates to, with the local names it went through.

    Following a local to what it is bound to revisits a name once per path that reaches it,
    which is exponential in a chain of locals each built from earlier ones (a 1,750-line
    polynomial of ``sh_i_j = a * sh_k_l + ...``). Each name's answer is computed once per
    function instead. A cycle (``h = h * 2``) is cut where it closes; an answer cut short at a
    name further up the walk depends on the path and is not kept. ``steps`` counts the
    expressions visited: linear in the size of the code.
    """

    def __init__(self, names: TorchNames) -> None:
        self.names = names
        self.steps = 0
        self._done: dict[tuple[int, str], _Found] = {}
        self._walking: dict[tuple[int, str], int] = {}  # names being followed -> their depth
        self._lowest_cut: list[int] = []  # per name being followed: the shallowest depth a cycle cut at

    def sources_of(self, expr: cst.BaseExpression, function: Function) -> Iterator[tuple[Source, frozenset[str]]]:
        """Storages ``expr`` evaluates to, each with the local names it went through."""
        return iter(self._sources(expr, function).values())

    def follow_locals(self, function: Function) -> None:
        """Follow each local of ``function`` in the order the code first binds it: a name is
        then followed after the names it is built from, so the walk stays shallow (a chain of
        2,000 locals asked for at its end would otherwise recurse 2,000 deep)."""
        for name in function.local_defs:
            self._name_sources(name, function)

    def _sources(self, expr: cst.BaseExpression, function: Function) -> _Found:
        self.steps += 1
        names = self.names
        while True:
            if isinstance(expr, cst.Attribute) and expr.attr.value == "data":
                expr = expr.value
            elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                method = expr.func.attr.value
                if method in WRITER_METHODS:
                    return {}  # torch.empty(n).normal_(): initialized on the spot
                if method not in PASSTHROUGH_METHODS or names.qualify(expr.func.value):
                    break
                expr = expr.func.value
            else:
                break
        found: _Found = {}
        arithmetic = isinstance(expr, cst.BinaryOperation)
        for part in _parts_carrying_storage(expr, names):
            for source, through in self._sources(part, function).values():
                if not arithmetic or source.kind == Kind.UNINITIALIZED:  # scaled randn is a choice
                    _merge(found, source, through)
        source = source_of(expr, names, function)
        if source is not None:
            _merge(found, source, frozenset())
            return found
        if isinstance(expr, cst.Call) and wrapper_kind(expr, names) is not None:
            data = argument(expr, 0, "data")
            if data is not None:
                for source, through in self._sources(data, function).values():
                    _merge(found, source, through)
            return found
        if isinstance(expr, cst.Name):
            for source, through in self._name_sources(expr.value, function).values():
                _merge(found, source, through)
        return found

    def _name_sources(self, name: str, function: Function) -> _Found:
        key = (id(function), name)
        done = self._done.get(key)
        if done is not None:
            return done
        depth = self._walking.get(key)
        if depth is not None:  # a cycle closes here
            if self._lowest_cut:
                self._lowest_cut[-1] = min(self._lowest_cut[-1], depth)
            return {}
        depth = self._walking[key] = len(self._walking)
        self._lowest_cut.append(depth)
        found: _Found = {}
        try:
            for value in function.local_defs.get(name, ()):
                for source, through in self._sources(value, function).values():
                    _merge(found, source, through | {name})
        finally:
            lowest = self._lowest_cut.pop()
            del self._walking[key]
        if lowest >= depth:
            self._done[key] = found
        elif self._lowest_cut:
            self._lowest_cut[-1] = min(self._lowest_cut[-1], lowest)
        return found


_Found = dict[int, tuple[Source, frozenset[str]]]  # id of the factory call -> its source, the names on the way


def _merge(found: _Found, source: Source, through: frozenset[str]) -> None:
    known = found.get(id(source.call))
    found[id(source.call)] = (source, through if known is None else known[1] | through)


def wrapper_kind(call: cst.Call, names: TorchNames) -> str | None:
    """"parameter" for ``nn.Parameter(...)``, "buffer" for ``nn.Buffer(...)``, else None."""
    if names.is_parameter_class(call.func):
        return "parameter"
    if names.is_buffer_class(call.func):
        return "buffer"
    return None


def find_storages(index: FileIndex, provenance: Provenance) -> list[Storage]:
    """Every storage of the file, with the roots each is bound to."""
    by_source: dict[int, Storage] = {}
    for function in index.functions:
        provenance.follow_locals(function)
        for call, wrapper, branch in function.wraps:
            data = argument(call, 0, "data") if wrapper != "register" else argument(call, 1, "tensor")
            if wrapper == "register":
                wrapper = "buffer" if method_name(call) == "register_buffer" else "parameter"
            if data is None:
                continue
            for source, aliases in provenance.sources_of(data, function):
                if exclusive(branch, index.call_branches.get(id(source.call), ())):
                    continue  # a local rebound in the other arm: this wrap never holds it
                storage = by_source.get(id(source.call))
                if storage is None:
                    storage = by_source[id(source.call)] = Storage(source, function, wrapper, branch)
                if wrapper == "parameter":
                    storage.wrapper = "parameter"
                storage.roots |= aliases
                storage.wrap_calls.append(call)
        for root, value, _branch in function.attachments:
            _bind(by_source, provenance.sources_of(value, function), {root})
        for name, values in function.local_defs.items():
            for value in values:
                _bind(by_source, provenance.sources_of(value, function), {name})
    for function in index.functions:  # self.phi = nn.ParameterList(weights), weights filled by append
        for root, value, _ in function.attachments:
            carried = names_in(value) if isinstance(value, cst.Call) else []
            for storage in by_source.values():
                if storage.function is function and any(name in storage.roots for name in carried):
                    storage.roots.add(root)
    return list(by_source.values())


def _bind(
    by_source: dict[int, Storage], sources: Iterator[tuple[Source, frozenset[str]]], bound: set[str]
) -> None:
    """``bound`` (a local or attribute a value is assigned to) names the storages the value holds."""
    for source, aliases in sources:
        storage = by_source.get(id(source.call))
        if storage is not None:
            storage.roots |= aliases | bound


def _parts_carrying_storage(expr: cst.BaseExpression, names: TorchNames) -> list[cst.BaseExpression]:
    """Sub-expressions whose storage the whole expression holds or carries on: both arms of
    a conditional, the tensor operand of arithmetic (raw memory scaled is still raw), the
    elements of containers and comprehensions."""
    if isinstance(expr, cst.IfExp):
        return [expr.body, expr.orelse]
    if isinstance(expr, cst.BinaryOperation) and not isinstance(expr.operator, cst.MatrixMultiply):
        return [expr.left, expr.right]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in expr.elements]
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        return [expr.elt]
    if isinstance(expr, cst.Dict):
        return [e.value for e in expr.elements if isinstance(e, cst.DictElement)]
    if isinstance(expr, cst.DictComp):
        return [expr.value]
    if isinstance(expr, cst.Call) and expr.args:
        parts = dotted_parts(expr.func)
        if parts and parts[-1] in CONTAINER_NAMES and (len(parts) == 1 or names.qualify_torch(expr.func)):
            return [expr.args[0].value]
    return []


def is_empty_container(value: cst.BaseExpression) -> bool:
    """``[]``, ``{}``, ``nn.ParameterList()``: a container made empty, filled later."""
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict)) and not value.elements:
        return True
    if isinstance(value, cst.Call) and not value.args:
        parts = dotted_parts(value.func)
        return bool(parts) and parts[-1] in CONTAINER_NAMES
    return False
