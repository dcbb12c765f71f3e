"""Alias-proof names for the torch API.

``import torch as th``, ``from torch import nn, Tensor`` and
``from torch.nn import Parameter as P`` all have to lead to the same canonical name,
while a user's own class called ``Tensor`` must not. This resolver reads the file's
imports (module level and inside functions) and the names the file binds itself; it is
deliberately lighter than libcst's scope analysis, which costs more than the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.syntax.nodes import dotted_name, dotted_parts
from ruff_like_rules.vocabulary.torch_api import (
    BUFFER_CLASSES,
    LEGACY_TENSOR_DTYPES,
    PARAMETER_CLASSES,
    PARAMETER_MODULE,
)

# Paths under which torch re-exports the same object.
_CANONICAL_PREFIXES: tuple[tuple[str, str], ...] = (
    (f"{PARAMETER_MODULE}.", "torch.nn."),
    ("torch.nn.modules.module.", "torch.nn."),
    ("torch.nn.modules.", "torch.nn."),
    ("torch.nn.init.", "torch.nn.init."),
    ("torch.autograd.variable.", "torch.autograd."),
)


def canonical(qualified: str) -> str:
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualified.startswith(prefix):
            tail = qualified[len(prefix) :]
            if replacement == "torch.nn." and "." in tail:
                continue  # e.g. torch.nn.modules.linear.Linear stays distinct from a module path
            return replacement + tail
    return qualified


def legacy_constructor_dtype(qualified: str) -> tuple[bool, str | None, bool] | None:
    """(is legacy constructor, dtype attribute or None for default, is cuda) or None."""
    if qualified.startswith("torch.cuda."):
        name, cuda = qualified[len("torch.cuda.") :], True
    elif qualified.startswith("torch."):
        name, cuda = qualified[len("torch.") :], False
    else:
        return None
    if name not in LEGACY_TENSOR_DTYPES or (cuda and name == "Tensor"):
        return None
    return True, LEGACY_TENSOR_DTYPES[name], cuda


# Capitalized names in torch.nn (and its module namespaces) that are not nn.Module classes.
_NOT_MODULES = frozenset(
    {"Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "LinearCrossEntropyOptions", "Tensor", "PackedSequence"}
)
_MODULE_NAMESPACE = re.compile(
    r"torch\.nn(?:\.modules\.\w+|\.parallel|(?:\.(?:quantized|qat|intrinsic|quantizable))(?:\.dynamic|\.qat)?)?"
    r"|torch\.ao\.nn\.(?:quantized|qat|intrinsic|quantizable)(?:\.dynamic|\.qat)?"
)


def is_torch_module_class(qualified: str | None) -> bool:
    """``torch.nn.Linear``, ``torch.nn.modules.conv._ConvNd``, ``torch.ao.nn.quantized.Linear``…"""
    if not qualified or "." not in qualified:
        return False
    namespace, name = qualified.rsplit(".", 1)
    bare = name.lstrip("_")
    return (
        bare[:1].isupper()
        and name not in _NOT_MODULES
        and not bare.endswith("Mixin")
        and _MODULE_NAMESPACE.fullmatch(namespace) is not None
    )


class TorchNames:
    """Maps local spellings to canonical torch names for one file.

    Imports anywhere in the file count (a function-level ``import torch`` is common in
    model code); a name the file itself binds with ``class``/``def`` at module level
    resolves to nothing, even where it also imports that name.
    """

    def __init__(self, modules: list[cst.Module]) -> None:
        self._aliases: dict[str, str] = {}
        shadowed: set[str] = set()
        # last chunk first, as each is walked last statement first: chunks cut from one file
        # then resolve a name two imports bind the way the whole file does
        for node in (n for module in reversed(modules) for n in _walk_imports_and_defs(module)):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = dotted_name(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        self._aliases[alias.asname.name.value] = full
                    else:
                        head = full.split(".")[0]
                        self._aliases.setdefault(head, head)
            elif isinstance(node, cst.ImportFrom):
                if isinstance(node.names, cst.ImportStar):
                    continue
                # A relative import resolves to a name that starts with dots: never torch's,
                # but still known to be imported (``from ... import initialization as init``).
                module = dotted_name(node.module) if node.module is not None else ""
                base = "." * len(node.relative) + module
                separator = "." if module else ""
                for alias in node.names:
                    name = dotted_name(alias.name)
                    local = name
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        local = alias.asname.name.value
                    self._aliases[local] = f"{base}{separator}{name}"
            elif isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                shadowed.add(node.name.value)
        for name in shadowed:
            self._aliases.pop(name, None)
        for module in modules:
            self._module_level_aliases(module)
        self.torch_aliases = frozenset(k for k, v in self._aliases.items() if v == "torch")

    def _module_level_aliases(self, module: cst.Module) -> None:
        """``FloatTensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor`` (the
        PyTorch-GAN idiom) and ``Tensor = torch.FloatTensor`` name a torch object too; a
        conditional between two of them resolves to its CPU arm."""
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
                    continue
                target = small.targets[0].target
                value = small.value.orelse if isinstance(small.value, cst.IfExp) else small.value
                qualified = self.qualify_torch(value)
                if isinstance(target, cst.Name) and qualified is not None:
                    self._aliases[target.value] = qualified

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """Canonical qualified name of a dotted expression, if it starts at an import."""
        parts = dotted_parts(node)
        if not parts or parts[0] not in self._aliases:
            return None
        return canonical(".".join([self._aliases[parts[0]], *parts[1:]]))

    def qualify_torch(self, node: cst.BaseExpression) -> str | None:
        name = self.qualify(node)
        return name if name is not None and (name == "torch" or name.startswith("torch.")) else None

    def is_parameter_class(self, node: cst.BaseExpression) -> bool:
        return self.qualify(node) in PARAMETER_CLASSES

    def is_buffer_class(self, node: cst.BaseExpression) -> bool:
        return self.qualify(node) in BUFFER_CLASSES

    def spelling_of(self, qualified: str) -> str | None:
        """The shortest way this file spells an imported module or name (``torch.nn.init``
        as ``init``, ``nn.init`` or ``th.nn.init``), or None if no import reaches it."""
        spellings = [
            local + qualified[len(target) :]
            for local, target in self._aliases.items()
            if qualified == target or qualified.startswith(target + ".")
        ]
        return min(spellings, key=lambda s: (len(s), s)) if spellings else None

    def torch_module_spelling(self) -> str | None:
        """How this file spells the ``torch`` module, for fixes that emit torch calls."""
        if "torch" in self.torch_aliases:
            return "torch"
        return min(self.torch_aliases) if self.torch_aliases else None


def _walk_imports_and_defs(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Imports at any depth, and the classes/functions bound at module level.

    Only statements are walked: imports never sit inside expressions, and walking
    libcst's ``children`` of every node costs more than the whole analysis.
    """
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            pending.extend(s for s in statement.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(statement, (cst.Import, cst.ImportFrom)):
            yield statement
        else:
            pending.extend(_nested_statements(statement))
    for statement in module.body:
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            yield statement


def _nested_statements(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Statements directly inside a compound statement and its else/except/finally clauses."""
    found: list[cst.CSTNode] = []
    for attribute in ("body", "orelse", "handlers", "finalbody", "cases"):
        value = getattr(node, attribute, None)
        for part in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(part, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                found.extend(part.body)
            elif isinstance(part, cst.CSTNode) and not isinstance(part, cst.BaseExpression):
                found.extend(_nested_statements(part))
    return found
