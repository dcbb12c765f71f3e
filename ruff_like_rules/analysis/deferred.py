"""What a deferred initializer leaves behind: the meta-device path (PIN007).

A model built under ``torch.device("meta")`` (or ``init_empty_weights()``) and materialized
with ``to_empty()`` holds raw memory in every parameter and buffer; only the project's
initializer gives it values (``reset_parameters()`` on every submodule, ``init_weights()``
on the root, ``apply(_init_weights)``). So a value that ``__init__`` gives a tensor —
``torch.ones(d)``, ``torch.tensor(2.6)``, a computed ``inv_freq``, ``nn.init.normal_`` on it
— is lost unless the initializer writes it again.

A class is judged when the project builds on the meta device (``ForeignClasses.builds_on_meta``;
always for a text without a path) and its lineage (other files' bases included) defines a
method named in ``initializer-methods``. Its tensors are those its construction (``__init__``
and the non-initializer methods it calls) binds to ``self`` with a value; each is *left
behind* when no method any of its initializers reaches (through ``self``, ``super()``,
``self.apply``) writes or re-binds it, and no initializer elsewhere in the file writes it
through another object (``module.logit_scale.fill_(...)`` under an ``isinstance`` that
admits the class). ``nn.MultiheadAttention`` (a private ``_reset_parameters`` only) and
weight-norm or spectral-norm layers (``reset_parameters`` writes the computed weight, never
the originals) held by the class are left behind when its initializer never names them.

The analysis errs towards "written": a loop over ``self.parameters()`` covers every
parameter, a call the file cannot see covers everything. A class without an initializer of
its own is judged by the initializer another class of the file applies to every module
(``GPT.init_weights`` runs ``self.apply(self._init_weights)``, which reaches ``Block``). Under a Hugging
Face ``PreTrainedModel``'s ``_init_weights(module)`` buffers are not judged: that path builds
with ``init_empty_weights()``, which keeps buffers where they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ruff_like_rules.analysis.flow import InitFlow
from ruff_like_rules.analysis.index import ALL, DYNAMIC, ClassInfo, FileIndex, Function
from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.analysis.shapes import is_one_dimensional
from ruff_like_rules.analysis.storages import source_of
from ruff_like_rules.analysis.verdicts import Kind
from ruff_like_rules.syntax.nodes import argument, code_of, method_name
from ruff_like_rules.vocabulary.torch_api import NN_MODULE_METHODS

_PARAMETRIZING = re.compile(r"(?:^|\.)(?:weight_norm|spectral_norm|register_parametrization)$")
_REACHES_ORIGINALS = re.compile(r"\.weight\s*=[^=]|weight_[gv]\b|original[01]?\b|parametrizations\b")
_MHA = "torch.nn.MultiheadAttention"


@dataclass(frozen=True)
class LeftBehind:
    """One tensor (or layer) of ``klass`` that its deferred initializer does not write."""

    klass: ClassInfo
    key: str  # the attribute on self
    kind: str  # "parameter", "buffer", "multihead-attention" or "parametrized"
    node: cst.CSTNode  # where construction binds it (what is reported)
    value: cst.BaseExpression | None  # the tensor __init__ gives it (parameters and buffers)
    construction: Function  # the method that binds it
    initializer: Function  # the nearest initializer, which misses it


@dataclass
class _Reach:
    """What the methods an initializer runs write on ``self``."""

    keys: set[str]
    every_parameter: bool = False
    multi_dim_parameters: bool = False  # for p in self.parameters(): if p.dim() > 1: ...
    everything: bool = False
    text: str = ""


def left_behind(index: FileIndex, flow: InitFlow, options: AnalysisOptions) -> Iterator[LeftBehind]:
    if index.foreign is not None and not index.foreign.builds_on_meta():
        return  # nothing in the project materializes modules from the meta device
    names = options.initializer_methods
    judged = {id(k): (k, _initializers(index, k, names)) for k in index.classes.values() if _own(index, k)}
    applied: dict[int, tuple[ClassInfo, list[Function]]] = {}
    for klass, initializers in judged.values():
        functions = _applied(index, initializers)
        if functions:  # applied to every module: the file's classes are its parts
            for part, own in judged.values():
                if part is not klass and not own:
                    applied.setdefault(id(part), (part, functions))
    for klass, initializers in [*judged.values(), *applied.values()]:
        if initializers:
            yield from _left_in(index, flow, klass, initializers, names)


def _own(index: FileIndex, klass: ClassInfo) -> bool:
    return klass.home is index and "__init__" in klass.methods


def _left_in(
    index: FileIndex, flow: InitFlow, klass: ClassInfo, initializers: list[Function], names: frozenset[str]
) -> Iterator[LeftBehind]:
    reaches = [_reach(index, flow, klass, function) for function in initializers]
    if any(reach.everything for reach in reaches):
        return
    foreign = _foreign_keys(index, flow, klass, names)
    keeps_buffers = _takes_module(initializers[0]) and any(
        "PreTrainedModel" in (base or "") for base in index.qualified_bases(klass)
    )
    for function, key, kind, node, value in _bound(index, flow, klass, names):
        if key in foreign or (kind == "buffer" and keeps_buffers):
            continue
        if not any(_covers(reach, key, kind, value) for reach in reaches):
            yield LeftBehind(klass, key, kind, node, value, function, initializers[0])


def _applied(index: FileIndex, initializers: list[Function]) -> list[Function]:
    """Initializers that take a module and reach every submodule: ``self.apply(self._init_weights)``."""
    found = []
    for function in initializers:
        if _takes_module(function):
            found.append(function)
            continue
        for called in function.self_calls:
            method = index.method(function.owner, called) if function.owner is not None else None
            if method is not None and _takes_module(method) and called in function.self_calls:
                found.append(method)
    return found


def _initializers(index: FileIndex, klass: ClassInfo, names: frozenset[str]) -> list[Function]:
    """The initializer methods of the lineage, nearest first (an override hides its base's).
    Where this file defines one, a framework base's (``PreTrainedModel.init_weights``, which
    only dispatches to the model's ``_init_weights``) does not stand in for it."""
    found: dict[str, Function] = {}
    for cls in index.lineage(klass):
        for name, function in cls.methods.items():
            if name in names and name != "__init__":
                found.setdefault(name, function)
    local = [f for f in found.values() if f.owner is not None and f.owner.home is index]
    return local or list(found.values())


def _takes_module(function: Function) -> bool:
    """``_init_weights(self, module)``: applied to every module, it writes ``module.<key>``."""
    if len(function.params) < 2 or function.self_name is None:
        return False
    other = function.params[1]
    return any(write.root.split(".")[0] in (other, f"{ALL}:{other}") for write in function.writes)


def _reach(index: FileIndex, flow: InitFlow, klass: ClassInfo, start: Function) -> _Reach:
    reach = _Reach(set())
    names = {cls.name for cls in index.lineage(klass)}
    pending, seen = [start], set()
    texts = []
    while pending:
        function = pending.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        if function.node is not None:
            texts.append(code_of(function.node))
        subjects = {function.self_name} | ({function.params[1]} if _takes_module(function) else set())
        # a framework base's loop over module.parameters() sits in a type dispatch whose
        # isinstance guard the loop variable does not carry (nn.LSTM in PreTrainedModel)
        foreign_base = function.owner is not None and function.owner.home is not index
        for write in flow.writes_in(function):
            if foreign_base and write.root.startswith(ALL) and not write.root.endswith(f":{function.self_name}"):
                continue
            _note(reach, write.root, subjects, write.guard, names, write.multi_dim_only, write.rebinding)
        for root, value, _ in function.attachments:  # re-registering a buffer recomputes it
            _note(reach, root, subjects, None, names, False, value)
        if function.opaque_self_call:
            reach.everything = True
        owner = function.owner or klass
        for called, through_super in [*((c, False) for c in function.self_calls), *((c, True) for c in function.super_calls)]:
            method = _base_method(index, owner, called) if through_super else index.method(owner, called)
            if method is not None:
                pending.append(method)
            elif called not in NN_MODULE_METHODS and index.has_opaque_base(owner):
                reach.everything = True  # a method of a base nobody could read
    reach.text = "\n".join(texts)
    return reach


def _base_method(index: FileIndex, owner: ClassInfo, name: str) -> Function | None:
    """What ``super().name`` runs in a method of ``owner``: the next definition up the lineage."""
    for cls in index.lineage(owner)[1:]:
        if name in cls.methods:
            return cls.methods[name]
    return None


def _note(
    reach: _Reach,
    root: str,
    subjects: set[str | None],
    guard: frozenset[str] | None,
    names: set[str],
    multi_dim_only: bool,
    rebinding: cst.BaseExpression | None,
) -> None:
    parts = root.split(".")
    head = parts[0]
    if guard is not None and not guard & names:
        return  # under isinstance(module, OtherClass)
    if isinstance(rebinding, cst.Name) and rebinding.value == "None":
        return
    if head.startswith(ALL) and head.split(":", 1)[-1] in subjects:
        if multi_dim_only:
            reach.multi_dim_parameters = True
        else:
            reach.every_parameter = True
    elif head in subjects and len(parts) >= 2:
        if parts[1] == DYNAMIC:
            reach.everything = True
        reach.keys.add(parts[1])


def _covers(reach: _Reach, key: str, kind: str, value: cst.BaseExpression | None) -> bool:
    if key in reach.keys and kind in ("parameter", "buffer"):
        return True
    if kind == "parameter" and (reach.every_parameter or (reach.multi_dim_parameters and not _one_dimensional(value))):
        return True
    if kind == "multihead-attention":
        named = re.search(rf"\.{re.escape(key)}\b|MultiheadAttention", reach.text)
        return reach.every_parameter or bool(named)
    if kind == "parametrized":
        if reach.every_parameter:
            return True
        mentions = [m.end() for m in re.finditer(rf"\.{re.escape(key)}\b", reach.text)]
        return any(_REACHES_ORIGINALS.match(reach.text, at) for at in mentions)
    return False


def _one_dimensional(value: cst.BaseExpression | None) -> bool:
    return isinstance(value, cst.Call) and is_one_dimensional(value)


def _foreign_keys(index: FileIndex, flow: InitFlow, klass: ClassInfo, initializer_names: frozenset[str]) -> set[str]:
    """Keys initializers write through other objects (``module.logit_scale.fill_()`` under an
    ``isinstance`` that admits the class, ``self.block.lam.zero_()``); ``ALL``: everything."""
    names = {cls.name for cls in index.lineage(klass)}
    keys = set()
    for key, guard, writer, _ in flow.foreign_writes:
        if writer.owner is not None and writer.name not in initializer_names:
            continue
        if guard is None or guard & names:
            keys.add(key)
    return keys


def _bound(
    index: FileIndex, flow: InitFlow, klass: ClassInfo, initializer_names: frozenset[str]
) -> Iterator[tuple[Function, str, str, cst.CSTNode, cst.BaseExpression | None]]:
    """What construction binds to ``self``: (method, key, kind, node, value) for tensors it
    gives values, and the layers an initializer must name."""
    pending, seen = [klass.methods["__init__"]], set()
    while pending:
        function = pending.pop()
        if id(function) in seen or function.owner is not klass:
            continue
        seen.add(id(function))
        pending.extend(
            klass.methods[name]
            for name in function.self_calls
            if name in klass.methods and name not in initializer_names
        )
        buffers = {
            id(call.args[1].value): call for call, kind, _ in function.wraps if kind == "register" and len(call.args) >= 2
        }
        for root, value, _ in function.attachments:
            parts = root.split(".")
            if len(parts) != 2 or parts[0] != function.self_name or parts[1] == DYNAMIC:
                continue
            found = _classify(index, flow, function, root, value, buffers)
            if found is not None:
                kind, node, tensor = found
                yield function, parts[1], kind, node, tensor


def _classify(
    index: FileIndex,
    flow: InitFlow,
    function: Function,
    root: str,
    value: cst.BaseExpression,
    buffers: dict[int, cst.Call],
) -> tuple[str, cst.CSTNode, cst.BaseExpression | None] | None:
    names = index.names
    register = buffers.get(id(value))
    if register is not None:
        if method_name(register) != "register_buffer":
            return None  # register_parameter(name, Parameter(...)): the Parameter call is attached too
        return ("buffer", register, value) if _has_value(index, flow, function, root, value) else None
    if not isinstance(value, cst.Call):
        return None
    if names.is_parameter_class(value.func):
        tensor = argument(value, 0, "data")
        if tensor is None or not _has_value(index, flow, function, root, tensor):
            return None
        return "parameter", value, tensor
    qualified = names.qualify(value.func) or ""
    if qualified == _MHA:
        return "multihead-attention", value, None
    if _PARAMETRIZING.search(qualified) and value.args:
        return "parametrized", value, None
    return None


def _has_value(index: FileIndex, flow: InitFlow, function: Function, root: str, tensor: cst.BaseExpression) -> bool:
    """Whether construction gives the tensor values (raw memory counts only once written)."""
    if isinstance(tensor, cst.Name):
        if tensor.value == "None" or tensor.value in function.params:
            return False  # the optional-tensor idiom; a tensor the caller hands in
        bound = function.local_defs.get(tensor.value, [])
        if not bound:
            return False
        tensor = bound[-1]
    source = source_of(tensor, index.names, function)
    if source is None or source.kind != Kind.UNINITIALIZED:
        return True
    roots = {root}
    for storage in flow.storages:
        if storage.source.call is source.call:
            roots |= storage.roots
    return any(write.root in roots and write.rebinding is None for write in flow.writes_in(function))
