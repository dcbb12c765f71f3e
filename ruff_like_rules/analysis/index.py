"""The per-file index: the classes and functions of a file and what each one does, in one walk.

A ``Function`` records its bindings, calls and writes as the collector met them, nothing
judged: reporting a finding (which needs the chunk a node sits in), the registration rules and
the legacy-constructor rules read the index alone, and only rules that ask for verdicts pay
for the initialization flow built on top of it. Classes are resolved within the file; a base
defined elsewhere is *opaque* (it may do anything), which is where an index of the whole
project would answer instead (``FileIndex.base_class``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.vocabulary.torch_names import TorchNames

ALL = "<all>"  # key for writes that reach every parameter (loops over parameters())
MODULES = "<modules>"  # what a loop over X.modules() binds
DYNAMIC = "<dynamic>"  # key for writes through getattr(self, name)

_NEUTRAL_BASES = frozenset({"object", "ABC", "abc.ABC", "Generic"})


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
        """The class a base spelling names, where this index sees it: in this file."""
        return self.classes.get(spelled.split(".")[-1])

    def method(self, cls: ClassInfo, name: str) -> Function | None:
        for klass in self.lineage(cls):
            if name in klass.methods:
                return klass.methods[name]
        return None

    def lineage(self, cls: ClassInfo) -> list[ClassInfo]:
        """The class and its same-file bases, nearest first."""
        order: list[ClassInfo] = []
        pending = [cls]
        while pending:
            klass = pending.pop(0)
            if klass in order:
                continue
            order.append(klass)
            pending.extend(base for base in map(self.base_class, klass.bases) if base is not None)
        return order

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        return [k for k in self.classes.values() if k is not cls and cls in self.lineage(k)]

    def has_opaque_base(self, cls: ClassInfo) -> bool:
        """A base defined elsewhere (other than nn.Module) may call initializers itself."""
        for klass in self.lineage(cls):
            for name, node in zip(klass.bases, klass.base_nodes):
                if self.base_class(name) is not None or name in _NEUTRAL_BASES:
                    continue
                if self.names.qualify(node) != "torch.nn.Module":
                    return True
        return False

    def has_sibling_base(self, cls: ClassInfo) -> bool:
        """A base imported relatively (``from ..bert.modeling_bert import BertAttention``)."""
        return any(
            (self.names.qualify(node) or "").startswith(".") for klass in self.lineage(cls) for node in klass.base_nodes
        )
