"""How a file uses what it builds: which storages multiply inputs (weights), which names hold
``torch.nn`` layers (which read what they are called with)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import libcst as cst

from ruff_like_rules.analysis.index import DYNAMIC, FileIndex, Function
from ruff_like_rules.analysis.shapes import is_matrix
from ruff_like_rules.analysis.storages import Storage
from ruff_like_rules.analysis.verdicts import Kind, Verdict
from ruff_like_rules.analysis.writes import behind_views
from ruff_like_rules.syntax.nodes import code_of, dotted_parts
from ruff_like_rules.syntax.walk import Walker, children
from ruff_like_rules.vocabulary.torch_api import METADATA_ATTRIBUTES


def is_torch_module(callee: cst.BaseExpression, function: Function, index: FileIndex) -> bool:
    """Whether ``callee`` holds a ``torch.nn`` layer (``self.rnn`` bound to ``nn.GRU(...)``,
    or a local bound to one), which reads what it is called with."""
    parts = dotted_parts(callee)
    if parts is None:
        return False
    if len(parts) == 1:
        module_level = index.module_level.local_defs  # criterion = nn.BCELoss() at the top
        values = function.local_defs.get(parts[0]) or module_level.get(parts[0], [])
    elif len(parts) == 2 and parts[0] == function.self_name and function.owner is not None:
        root = ".".join(parts)
        values = [
            value
            for klass in index.lineage(function.owner)
            for method in klass.methods.values()
            for attached, value, _ in method.attachments
            if attached == root
        ]
    else:
        return False
    return any(_is_torch_layer(value, index) for value in values)


def _is_torch_layer(value: cst.BaseExpression, index: FileIndex) -> bool:
    if not isinstance(value, cst.Call):
        return False
    qualified = index.names.qualify_torch(value.func) or ""
    return qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1][:1].isupper()


def used_as_weight(storage: Storage, initializer_methods: frozenset[str], unless_rescaled: bool = False) -> bool:
    """Whether a method other than construction multiplies inputs by this storage (with
    ``unless_rescaled``: in a product that is neither normalized nor scaled right after,
    ``F.normalize(q @ w)``, ``(q @ w) * self.scale``)."""
    owner = storage.owner
    keys = storage.attribute_keys() - {DYNAMIC}
    if owner is None or not keys:
        return False
    for function in owner.methods.values():
        if function.name == "__init__" or function.name in initializer_methods:
            continue
        finder = _WeightUse(function.self_name or "self", keys, unless_rescaled)
        for body in function.bodies:
            finder.walk(body)
        if finder.found:
            return True
    return False


def weight_matrices(
    storages: Iterable[Storage], kind: Kind, initializer_methods: frozenset[str], unless_rescaled: bool = False
) -> Iterator[Storage]:
    """Never re-initialized parameters of ``kind`` with two or more non-unit sizes, used as
    weights (judged storages: ``InitFlow.storages``); ``unless_rescaled`` as ``used_as_weight``."""
    for storage in storages:
        if storage.source.kind != kind or storage.verdict != Verdict.UNINITIALIZED or storage.wrapper != "parameter":
            continue
        if is_matrix(storage.source.call) and used_as_weight(storage, initializer_methods, unless_rescaled):
            yield storage


# Uses of a tensor that read its dtype and device, never its values: x.new(n), x.new_zeros(n),
# y.to(x), y.type_as(x). A buffer used only so is an anchor, not data.
_METADATA_METHODS = frozenset({"new", "new_empty", "new_zeros", "new_ones", "new_full", "new_tensor", "get_device", "type"})
_TAKING_METADATA = frozenset({"to", "type_as", "new_empty", "new_zeros", "new_ones", "new_full", "new_tensor"})


def reads_only_metadata(storage: Storage, index: FileIndex) -> bool:
    """Whether every use of the storage's ``self`` attributes, in its class and the file's
    subclasses, reads only its dtype or device (fairseq's ``_float_tensor`` buffer)."""
    owner = storage.owner
    keys = storage.attribute_keys() - {DYNAMIC}
    if owner is None or not keys:
        return False
    classes = [klass for klass in index.classes.values() if owner in index.lineage(klass)]
    used = False
    for klass in classes:
        for function in klass.methods.values():
            targets = {f"{function.self_name}.{key}" for key in keys} if function.self_name else set()
            for body in function.bodies:
                for effect in _uses(body, targets, []):
                    if not effect:
                        return False
                    used = True
    return used


def _uses(node: cst.CSTNode, targets: set[str], parents: list[cst.CSTNode]) -> Iterator[bool]:
    """For each use of a target below ``node``: whether it reads only metadata. Binding it
    (``self.x = ...``, ``register_buffer``) is no use."""
    parts = dotted_parts(node) if isinstance(node, cst.Attribute) else None
    if parts is not None and ".".join(parts) in targets:
        parent = parents[-1] if parents else None
        grand = parents[-2] if len(parents) > 1 else None
        if isinstance(parent, cst.AssignTarget):
            return
        if isinstance(parent, cst.Attribute) and parent.value is node:
            called = isinstance(grand, cst.Call) and grand.func is parent
            yield parent.attr.value in METADATA_ATTRIBUTES or (called and parent.attr.value in _METADATA_METHODS)
            return
        if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Attribute):
            yield grand.func.attr.value in _TAKING_METADATA
            return
        yield False
        return
    parents.append(node)
    for child in children(node):
        yield from _uses(child, targets, parents)
    parents.pop()


_TRANSPOSES = frozenset({"T", "mT", "H", "data"})  # the same storage, read another way


class _WeightUse(Walker):
    """Finds ``self.key`` as an operand that multiplies inputs: ``@``, matmul, linear, einsum, conv.
    With ``unless_rescaled``, a product inside a normalization (``F.normalize``, ``self.norm``)
    or multiplied or divided by a scale (``* self.scale``, ``/ math.sqrt(d)``) does not count."""

    _MULTIPLYING = re.compile(r"(?:^|\.)(?:linear|bilinear|matmul|mm|bmm|einsum|addmm|baddbmm|conv\w*|tensordot|mv|chain_matmul)$")
    _NORMALIZING = re.compile(r"(?i)norm")
    _SCALE = re.compile(r"(?i)scale|sqrt|\*\*\s*\(?\s*-|temperature|norm")

    def __init__(self, self_name: str, keys: set[str], unless_rescaled: bool = False) -> None:
        super().__init__()
        self.targets = {f"{self_name}.{key}" for key in keys}
        self.unless_rescaled = unless_rescaled
        self.rescued = 0  # depth of enclosing normalizations and scalings
        self.found = False

    def _is_weight(self, operand: cst.BaseExpression) -> bool:
        parts = dotted_parts(behind_views(operand, _TRANSPOSES))
        return parts is not None and ".".join(parts) in self.targets

    def _rescues(self, node: cst.CSTNode) -> bool:
        if not self.unless_rescaled:
            return False
        if isinstance(node, cst.Call):
            parts = dotted_parts(node.func)
            return bool(parts) and bool(self._NORMALIZING.search(parts[-1]))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
            return any(self._SCALE.search(code_of(side)) for side in (node.left, node.right))
        return False

    def enter_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if self._rescues(node):
            self.rescued += 1
        if isinstance(node.operator, cst.MatrixMultiply) and (self._is_weight(node.left) or self._is_weight(node.right)):
            self.found = self.found or not self.rescued

    def leave_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if self._rescues(node):
            self.rescued -= 1

    def enter_Call(self, node: cst.Call) -> None:
        if self._rescues(node):
            self.rescued += 1
        parts = dotted_parts(node.func)
        if parts and self._MULTIPLYING.search(".".join(parts)) and any(self._is_weight(a.value) for a in node.args):
            self.found = self.found or not self.rescued

    def leave_Call(self, node: cst.Call) -> None:
        if self._rescues(node):
            self.rescued -= 1
