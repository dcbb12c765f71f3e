"""The per-file index: the classes and functions of a file and what each one does, in one walk.

A ``Function`` records its bindings, calls and writes as the collector met them, nothing
judged: reporting a finding (which needs the chunk a node sits in), the registration rules and
the legacy-constructor rules read the index alone, and only rules that ask for verdicts pay
for the initialization flow built on top of it. Classes are resolved within the file; a base
imported from another file is looked up through ``foreign`` (``analysis.project``): found,
its class (indexed in its own file) joins the lineage, so inherited initializers and
``nn.Module`` ancestry are seen; not found, it is *opaque* (it may do anything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import libcst as cst

from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.vocabulary.torch_names import TorchNames

ALL = "<all>"  # key for writes that reach every parameter (loops over parameters())
MODULES = "<modules>"  # what a loop over X.modules() binds
DYNAMIC = "<dynamic>"  # key for writes through getattr(self, name)

_NEUTRAL_BASES = frozenset({"object", "ABC", "abc.ABC", "Generic"})


class ForeignClasses(Protocol):
    """The classes other files define, by the qualified name this file imports them as."""

    def resolve(self, qualified: str) -> ClassInfo | None: ...

    def absolute(self, qualified: str) -> str | None:
        """``.module.Module`` as the absolute, canonical name it imports."""

    def builds_on_meta(self) -> bool:
        """Whether some file of the project builds modules on the meta device."""

    def classes_built_on_meta(self) -> frozenset[str] | None:
        """The class names the project's meta builds construct; None: too many files to tell."""

    def initializers_called_on_instances(self) -> frozenset[str]:
        """Initializer methods some file of the project calls on an instance (``model.init_weights()``)."""


@dataclass(frozen=True)
class Write:
    root: str  # dotted root of what is written, loop aliases already substituted
    branch: tuple[str, ...]
    guard: frozenset[str] | None  # classes the written object was isinstance-checked against
    rebinding: cst.BaseExpression | None = None  # the new value, for ``x.k = value``
    multi_dim_only: bool = False  # under ``if p.dim() > 1``: 1-D storages are skipped


@dataclass(eq=False)
class Function:
    node: cst.FunctionDef | None  # None: the module's own top-level code
    owner: ClassInfo | None  # nearest enclosing class
    self_name: str | None  # first parameter of the nearest enclosing method
    params: list[str] = field(default_factory=list)
    local_defs: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    loop_aliases: dict[str, list[str]] = field(default_factory=dict)
    wraps: list[tuple[cst.Call, str, tuple[str, ...]]] = field(default_factory=list)  # (call, kind, branch path)
    attachments: list[tuple[str, cst.BaseExpression, tuple[str, ...]]] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    helper_calls: list[tuple[str, cst.Call, tuple[str, ...], dict[str, frozenset[str]]]] = field(default_factory=list)  # (callee, call, branch, guards)
    # methods called on self, each with the call-order index of its last call (see InitFlow.reachable)
    self_calls: dict[str, int] = field(default_factory=dict)
    super_calls: set[str] = field(default_factory=set)
    opaque_self_call: bool = False
    bodies: list[cst.CSTNode] = field(default_factory=list)  # the def, or each chunk's module
    legacy_calls: list[cst.Call] = field(default_factory=list)  # torch.Tensor(...), x.new(...) calls
    returns: list[cst.BaseExpression] = field(default_factory=list)  # values of return statements
    outer: Function | None = None  # the function a nested def is defined in (closures)
    nested: dict[str, Function] = field(default_factory=dict)  # defs directly inside this one

    def closure_params(self) -> set[str]:
        """Parameters of the enclosing functions a nested def can call (``initializer`` of
        ``def make(initializer): def init(w): initializer(w[i])``)."""
        found: set[str] = set()
        outer = self.outer
        while outer is not None:
            found.update(outer.params)
            outer = outer.outer
        return found

    @property
    def name(self) -> str:
        return self.node.name.value if self.node is not None else "<module>"


@dataclass(eq=False)
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[str]  # dotted spellings
    base_nodes: list[cst.BaseExpression]
    methods: dict[str, Function] = field(default_factory=dict)
    home: FileIndex | None = None  # the index of the file that defines it, once indexed


@dataclass(eq=False)
class FileIndex:
    """Every function and class of one file, with the facts the collector recorded."""

    chunks: list[ParsedChunk]
    names: TorchNames
    functions: list[Function]  # the module's own code first, then every def in file order
    classes: dict[str, ClassInfo]  # the first class of each name
    module_functions: dict[str, Function]
    instance_calls: set[str]  # methods called on something other than self
    chunk_by_node: dict[int, ParsedChunk]  # id of every call and class name -> its chunk
    call_order: dict[int, int]  # id of every call -> its index in file order
    foreign: ForeignClasses | None = None  # other files' classes; None: this file alone
    call_branches: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id of a call -> the if-arms it sits in
    # bases and lineages by id of the class, asked again and again by the rules: a checked
    # file's index lives for one analysis, in which the project index does not change
    _bases: dict[int, list[ClassInfo | None]] = field(default_factory=dict, repr=False)
    _lineages: dict[int, list[ClassInfo]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for function in self.functions:
            if function.owner is not None:
                function.owner.home = self

    @property
    def module_level(self) -> Function:
        return self.functions[0]

    def chunk_of(self, node: cst.CSTNode) -> ParsedChunk:
        """The parsed chunk a call or class (anything a rule reports) belongs to."""
        chunk = self.chunk_by_node.get(id(node))
        if chunk is not None:
            return chunk
        return next(c for c in self.chunks if node in c.positions)

    def base_class(self, spelled: str) -> ClassInfo | None:
        """The class a base spelling names in this file."""
        return self.classes.get(spelled.split(".")[-1])

    def bases_of(self, klass: ClassInfo) -> list[ClassInfo | None]:
        """Each base of ``klass`` as a class, where its file or another file defines it."""
        found = self._bases.get(id(klass))
        if found is None:
            found = self._bases[id(klass)] = self._find_bases(klass)
        return found

    def _find_bases(self, klass: ClassInfo) -> list[ClassInfo | None]:
        home = klass.home or self
        found: list[ClassInfo | None] = []
        for spelled, node in zip(klass.bases, klass.base_nodes):
            qualified = home.qualify_base(node)
            base = None
            if qualified is not None and home.foreign is not None and not qualified.startswith("torch."):
                base = home.foreign.resolve(qualified)
            found.append(base if base is not None else home.base_class(spelled))
        return found

    def qualify_base(self, node: cst.BaseExpression) -> str | None:
        """A base's qualified name, a relative import made absolute where the file's package
        is known (torch's own ``from .module import Module`` is ``torch.nn.Module``)."""
        qualified = self.names.qualify(node)
        if qualified is not None and qualified.startswith(".") and self.foreign is not None:
            return self.foreign.absolute(qualified) or qualified
        return qualified

    def method(self, cls: ClassInfo, name: str) -> Function | None:
        for klass in self.lineage(cls):
            if name in klass.methods:
                return klass.methods[name]
        return None

    def lineage(self, cls: ClassInfo) -> list[ClassInfo]:
        """The class and its bases, nearest first: same-file ones, and other files' ones
        the project index finds."""
        order = self._lineages.get(id(cls))
        if order is None:
            order = self._lineages[id(cls)] = self._find_lineage(cls)
        return list(order)

    def _find_lineage(self, cls: ClassInfo) -> list[ClassInfo]:
        order: list[ClassInfo] = []
        pending = [cls]
        while pending:
            klass = pending.pop(0)
            if klass in order:
                continue
            order.append(klass)
            pending.extend(base for base in self.bases_of(klass) if base is not None)
        return order

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        return [k for k in self.classes.values() if k is not cls and cls in self.lineage(k)]

    def inherited_methods(self) -> list[Function]:
        """Methods this file's classes inherit from classes of other files."""
        found: dict[int, Function] = {}
        for function in self.functions:
            if function.owner is None or function.owner.home is not self:
                continue
            for klass in self.lineage(function.owner)[1:]:
                if klass.home is not self:
                    found.update((id(m), m) for m in klass.methods.values())
        return list(found.values())

    def has_opaque_base(self, cls: ClassInfo) -> bool:
        """A base nobody indexed (other than nn.Module) may call initializers itself."""
        for klass in self.lineage(cls):
            home = klass.home or self
            for name, node, base in zip(klass.bases, klass.base_nodes, self.bases_of(klass)):
                if base is not None or name in _NEUTRAL_BASES:
                    continue
                if home.qualify_base(node) != "torch.nn.Module":
                    return True
        return False

    def has_sibling_base(self, cls: ClassInfo) -> bool:
        """A base imported relatively (``from ..bert.modeling_bert import BertAttention``)
        that the project index could not find."""
        for klass in self.lineage(cls):
            home = klass.home or self
            for node, base in zip(klass.base_nodes, self.bases_of(klass)):
                relative = (home.names.qualify(node) or "").startswith(".")
                if base is None and relative and not (home.qualify_base(node) or "").startswith("torch."):
                    return True
        return False

    def qualified_bases(self, cls: ClassInfo) -> list[str | None]:
        """The qualified name of every base along the lineage, each read in its own file."""
        return [
            (klass.home or self).qualify_base(node) for klass in self.lineage(cls) for node in klass.base_nodes
        ]


def exclusive(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two branch paths lie in different arms of the same ``if``."""
    arms_a = {item.rsplit(":", 1)[0]: item for item in a}
    for item in b:
        decision = item.rsplit(":", 1)[0]
        if decision in arms_a and arms_a[decision] != item:
            return True
    return False
