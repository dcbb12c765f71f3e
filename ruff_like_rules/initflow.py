"""What writes which storage: the initialization flow of parameters and buffers in one file.

A *storage* is a tensor made by a factory (``torch.empty``, ``torch.Tensor(3, 4)``,
``torch.randn``, ``torch.zeros`` …) that becomes a parameter or buffer. It is
*initialized* when some write reaches it:

* in the function that creates it, through any local name or attribute it was bound to
  (``w = torch.empty(n); init.normal_(w); self.w = Parameter(w)``), unless the write sits
  in the other branch of an ``if`` that the creation sits in;
* in a method of its class, a same-file base or subclass (``self.w.data.normal_()``,
  loops over ``self.parameters()``, ``getattr(self, name)``) — a write in an
  initializer-named method (``reset_parameters`` …) counts only when construction reaches
  it, otherwise the storage is *initializer-not-called*;
* never, by design, in a *load-only* storage: a frozen one (``requires_grad`` anything but
  ``True``) and every storage of a class holding a quantized-dtype one (int8, FP8 …) exist
  to receive a checkpoint, so they are not judged;
* where a factory function returns it, by what each caller writes to the result
  (``self.prompt = make_prompt(...)``); with no caller in the file, it is not judged;
* possibly, in another file of the same package, when the class derives from a base
  imported relatively (``from ..bert.modeling_bert import BertAttention``): that file's
  ``_init_weights`` may match it with ``isinstance``, so it is not judged;
* anywhere in the file, through another object (``module.w.normal_()`` under
  ``isinstance(module, ThisClass)``: the Hugging Face ``_init_weights`` pattern, or a
  loop over ``module.parameters()``).

Writes are in-place writer methods, ``torch.nn.init`` functions and configured
``init-functions``, ``out=`` arguments, slice and ``.data`` assignment, rebinding, and
same-file helpers that write the argument they are given. The analysis errs towards
"initialized": a finding must be a real bug.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from ruff_like_rules.syntax.nodes import dotted_parts
from ruff_like_rules.syntax.walk import Walker, children
from ruff_like_rules.vocabulary.torch_names import EMPTY_FACTORIES, EMPTY_METHODS, legacy_constructor_dtype

if TYPE_CHECKING:
    from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.syntax.parsed import ParsedChunk

# In-place methods that overwrite (part of) a tensor's values. Arithmetic in place
# (add_, mul_, clamp_) keeps garbage garbage, so it is not here.
WRITER_METHODS = frozenset(
    {
        "normal_", "uniform_", "zero_", "fill_", "copy_", "random_", "bernoulli_",
        "exponential_", "geometric_", "log_normal_", "cauchy_", "set_", "fill_diagonal_",
        "index_fill_", "index_copy_", "index_put_", "masked_fill_", "masked_scatter_",
        "scatter_", "scatter_add_", "put_", "trunc_normal_", "orthogonal_", "eye_",
    }
)
# Methods that hand back the same storage (or a view of it).
PASSTHROUGH_METHODS = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "type_as",
        "requires_grad_", "contiguous", "detach", "detach_", "view", "view_as", "reshape",
        "t", "transpose", "permute", "pin_memory", "share_memory_", "squeeze", "unsqueeze",
        "expand", "flatten", "unflatten", "narrow", "select", "as_strided", "xpu", "mps",
    }
)
INIT_FUNCTION_NAMES = frozenset(
    {
        "normal_", "uniform_", "trunc_normal_", "trunc_normal_tf_", "xavier_uniform_",
        "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "constant_",
        "zeros_", "ones_", "eye_", "dirac_", "sparse_", "lecun_normal_", "variance_scaling_",
        "normal", "uniform", "xavier_uniform", "xavier_normal", "kaiming_uniform",
        "kaiming_normal", "orthogonal", "constant", "trunc_normal", "copy_",
    }
)
# An imported helper whose name says it fills a tensor is trusted to do so.
_INITISH_NAME = re.compile(
    r"init|fill|normal|uniform|xavier|kaiming|glorot|lecun|orthogonal|reset|load|copy|zero|ones|constant|trunc|eye|dirac",
    re.I,
)

RANDOM_NORMAL_FACTORIES = frozenset({"torch.randn"})
RANDOM_UNIFORM_FACTORIES = frozenset({"torch.rand"})
CONSTANT_FACTORIES = frozenset({"torch.zeros", "torch.ones"})

# nn.Module's own methods: calling them never runs an initializer of the file.
NN_MODULE_METHODS = frozenset(
    {
        "register_buffer", "register_parameter", "add_module", "register_module", "get_submodule",
        "get_parameter", "get_buffer", "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type",
        "train", "eval", "requires_grad_", "zero_grad", "parameters", "named_parameters", "buffers",
        "named_buffers", "children", "named_children", "modules", "named_modules", "state_dict",
        "load_state_dict", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook", "register_backward_hook",
        "register_load_state_dict_post_hook", "register_state_dict_pre_hook", "_register_load_state_dict_pre_hook",
        "_register_state_dict_hook", "extra_repr", "share_memory", "to_empty", "set_extra_state",
    }
)
PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})
MODULE_ITERATORS = frozenset({"modules", "named_modules", "children", "named_children"})

# Names that hold a size: a count prefix (n_heads, num_tokens, max_len) or a last word that
# counts (hidden_size, dim, out_channels, heads); features/feats/tokens only after a prefix
# (in_features): bare, they are data, and so is anything ending in ids, states, values ...
_SIZE_PREFIX = re.compile(r"(?i)^(?:n|num|nb|number|max|min|total)_")
_SIZE_WORD = re.compile(
    r"(?i)(?:size|dim|len|length|count|width|height|depth|hidden|vocab|rank|order|embd|emb|embed|"
    r"nx|nf|ny|k|d|m|h|c|ch|n|feat|chan|channels|chans|units?|heads?|experts?|groups?|planes?|"
    r"filters?|classes|layers?|capacity|bsz|batch|steps|horizon|maxlen|seq)\d*"
)
_PREFIXED_SIZE_WORD = re.compile(r"(?i)(?:features|feats|tokens)\d*")


def _is_size_name(name: str) -> bool:
    words = name.lower().strip("_").split("_")
    last = words[-1]
    return bool(
        _SIZE_PREFIX.match(name.lower().strip("_"))
        or _SIZE_WORD.fullmatch(last)
        or (len(words) > 1 and _PREFIXED_SIZE_WORD.fullmatch(last))
    )


_COLLECTION_NAME = re.compile(r"(?i)(?:shape|sizes|dims|lengths|lens|counts)$")  # a list of sizes is data
_SIZE_CALLS = frozenset({"len", "int", "max", "min", "sum", "round", "math.prod", "prod"})
_SIZE_METHODS = frozenset({"size", "numel", "dim", "nelement", "item"})

ALL = "<all>"  # key for writes that reach every parameter (loops over parameters())
MODULES = "<modules>"  # what a loop over X.modules() binds
DYNAMIC = "<dynamic>"  # key for writes through getattr(self, name)


class Kind:
    UNINITIALIZED = "uninitialized"
    RANDOM_NORMAL = "random-normal"
    RANDOM_UNIFORM = "random-uniform"
    CONSTANT = "constant"


class Verdict:
    INITIALIZED = "initialized"
    LOAD_ONLY = "load-only"  # a frozen or quantized container that only a checkpoint fills
    ELSEWHERE = "maybe-elsewhere"  # its class's base lives in a sibling module that may initialize it
    INITIALIZER_NOT_CALLED = "initializer-not-called"
    UNINITIALIZED = "uninitialized"


@dataclass(frozen=True)
class Source:
    call: cst.Call
    kind: str
    display: str  # how the factory is spelled for messages, e.g. "torch.empty"


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
    writes: list[_Write] = field(default_factory=list)
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


@dataclass(frozen=True)
class _Write:
    root: str  # dotted root of what is written, loop aliases already substituted
    branch: tuple[str, ...]
    guard: frozenset[str] | None  # classes the written object was isinstance-checked against
    rebinding: cst.BaseExpression | None = None  # the new value, for ``x.k = value``
    multi_dim_only: bool = False  # under ``if p.dim() > 1``: 1-D storages are skipped


@dataclass(eq=False)
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[str]  # dotted spellings
    base_nodes: list[cst.BaseExpression]
    methods: dict[str, Function] = field(default_factory=dict)


@dataclass(eq=False)
class Storage:
    source: Source
    function: Function
    wrapper: str  # "parameter" or "buffer"
    branch: tuple[str, ...]
    roots: set[str] = field(default_factory=set)  # local names and dotted attributes bound to it
    wrap_calls: list[cst.Call] = field(default_factory=list)
    verdict: str = Verdict.UNINITIALIZED
    initializer: str | None = None  # for initializer-not-called: the method that would do it

    @property
    def owner(self) -> ClassInfo | None:
        return self.function.owner

    def attribute_keys(self) -> set[str]:
        """Attribute names on ``self`` it is bound to (``DYNAMIC`` for setattr with a computed name)."""
        return _attribute_keys(self.roots, self.function.self_name)

    @property
    def noun(self) -> str:
        return "Parameter" if self.wrapper == "parameter" else "Buffer"

    def display(self) -> str:
        keys = sorted(self.attribute_keys() - {DYNAMIC})
        if keys and self.function.self_name:
            return f"{self.function.self_name}.{keys[0]}"
        named = sorted(r for r in self.roots if "." not in r)
        return named[0] if named else self.wrapper


class InitFlow:
    """Every storage of the file, each with its verdict."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        collector = _Collector(ctx)
        for chunk in ctx.chunks:
            collector.chunk = chunk
            collector.module_function.bodies.append(chunk.module)
            collector.walk(chunk.module)
        self._chunk_of = collector.chunk_of
        self._call_order = collector.call_order
        self.functions: list[Function] = collector.functions
        self.classes: dict[str, ClassInfo] = collector.classes
        self.module_functions: dict[str, Function] = collector.module_functions
        self.initializers_called_on_instances = collector.instance_calls & ctx.settings.initializer_methods
        self._helper_memo: dict[int, frozenset[int]] = {}
        self._reachable: dict[tuple[int, int | None], set[str]] = {}
        self.storages = self._storages()
        self._class_writes, self._foreign_writes = self._all_writes()
        load_only = {id(s.owner) for s in self.storages if s.owner is not None and _marks_container(s)}
        for storage in self.storages:
            if _is_load_only(storage) or id(storage.owner) in load_only:
                storage.verdict = Verdict.LOAD_ONLY
            elif storage.owner is not None and self._has_sibling_base(storage.owner):
                storage.verdict = Verdict.ELSEWHERE
            else:
                self._judge(storage)

    def raw_memory_storages(self, verdict: str) -> Iterator[Storage]:
        """Storages made from uninitialized memory that got ``verdict``."""
        return (s for s in self.storages if s.source.kind == Kind.UNINITIALIZED and s.verdict == verdict)

    def chunk_of(self, node: cst.CSTNode) -> ParsedChunk:
        """The parsed chunk a call or class (anything a rule reports) belongs to."""
        chunk = self._chunk_of.get(id(node))
        if chunk is not None:
            return chunk
        return next(c for c in self.ctx.chunks if node in c.positions)

    # -- sources ------------------------------------------------------------------------

    def source_of(self, node: cst.BaseExpression, function: Function | None = None) -> Source | None:
        """The factory a call is, if it makes a storage this module cares about.

        Raw memory of no elements (``torch.empty(0)``) or on the meta device holds no
        garbage: neither is a source.
        """
        if not isinstance(node, cst.Call) or _allocates_nothing(node):
            return None
        names = self.ctx.names
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in EMPTY_METHODS:
            if names.qualify(node.func.value) is None:  # a method on a tensor, not a module function
                return Source(node, Kind.UNINITIALIZED, f".{node.func.attr.value}")
            return None
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "new":
            if names.qualify(node.func.value) is None and size_arguments(node, function) == "size":
                return Source(node, Kind.UNINITIALIZED, ".new")
            return None
        qualified = names.qualify_torch(node.func)
        if qualified is None:
            return None
        if qualified in EMPTY_FACTORIES:
            return Source(node, Kind.UNINITIALIZED, qualified)
        if legacy_constructor_dtype(qualified) is not None and size_arguments(node, function) == "size":
            return Source(node, Kind.UNINITIALIZED, qualified)
        if qualified in RANDOM_NORMAL_FACTORIES:
            return Source(node, Kind.RANDOM_NORMAL, qualified)
        if qualified in RANDOM_UNIFORM_FACTORIES:
            return Source(node, Kind.RANDOM_UNIFORM, qualified)
        if qualified in CONSTANT_FACTORIES:
            return Source(node, Kind.CONSTANT, qualified)
        return None

    def sources_of(
        self, expr: cst.BaseExpression, function: Function, aliases: frozenset[str] = frozenset()
    ) -> Iterator[tuple[Source, frozenset[str]]]:
        """Storages an expression evaluates to, with the local names it went through."""
        seen = set(aliases)
        while True:
            if isinstance(expr, cst.Attribute) and expr.attr.value == "data":
                expr = expr.value
            elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                method = expr.func.attr.value
                if method in WRITER_METHODS:
                    return  # torch.empty(n).normal_(): initialized on the spot
                if method not in PASSTHROUGH_METHODS or self.ctx.names.qualify(expr.func.value):
                    break
                expr = expr.func.value
            else:
                break
        arithmetic = isinstance(expr, cst.BinaryOperation)
        for part in _parts_carrying_storage(expr, self.ctx):
            for source, names in self.sources_of(part, function, frozenset(seen)):
                if not arithmetic or source.kind == Kind.UNINITIALIZED:  # scaled randn is a choice
                    yield source, names
        source = self.source_of(expr, function)
        if source is not None:
            yield source, frozenset(seen)
            return
        if isinstance(expr, cst.Call) and self._wrapper_kind(expr) is not None:
            data = _argument(expr, 0, "data")
            if data is not None:
                yield from self.sources_of(data, function, frozenset(seen))
            return
        if isinstance(expr, cst.Name) and expr.value not in seen:
            for value in function.local_defs.get(expr.value, ()):
                yield from self.sources_of(value, function, frozenset(seen | {expr.value}))

    def _wrapper_kind(self, call: cst.Call) -> str | None:
        names = self.ctx.names
        if names.is_parameter_class(call.func):
            return "parameter"
        if names.is_buffer_class(call.func):
            return "buffer"
        return None

    # -- storages ----------------------------------------------------------------------

    def _storages(self) -> list[Storage]:
        by_source: dict[int, Storage] = {}
        for function in self.functions:
            for call, wrapper, branch in function.wraps:
                data = _argument(call, 0, "data") if wrapper != "register" else _argument(call, 1, "tensor")
                if wrapper == "register":
                    wrapper = "buffer" if _method_name(call) == "register_buffer" else "parameter"
                if data is None:
                    continue
                for source, aliases in self.sources_of(data, function):
                    storage = by_source.get(id(source.call))
                    if storage is None:
                        storage = by_source[id(source.call)] = Storage(source, function, wrapper, branch)
                    if wrapper == "parameter":
                        storage.wrapper = "parameter"
                    storage.roots |= aliases
                    storage.wrap_calls.append(call)
            for root, value, _branch in function.attachments:
                for source, aliases in self.sources_of(value, function):
                    storage = by_source.get(id(source.call))
                    if storage is not None:
                        storage.roots |= aliases | {root}
            for name, values in function.local_defs.items():
                for value in values:
                    for source, aliases in self.sources_of(value, function):
                        storage = by_source.get(id(source.call))
                        if storage is not None:
                            storage.roots |= aliases | {name}
        for function in self.functions:  # self.phi = nn.ParameterList(weights), weights filled by append
            for root, value, _ in function.attachments:
                carried = _names_in(value) if isinstance(value, cst.Call) else []
                for storage in by_source.values():
                    if storage.function is function and any(name in storage.roots for name in carried):
                        storage.roots.add(root)
        return list(by_source.values())

    # -- writes ------------------------------------------------------------------------

    def _all_writes(
        self,
    ) -> tuple[
        dict[tuple[str, str], list[tuple[Function, _Write]]], list[tuple[str, frozenset[str] | None, Function, _Write]]
    ]:
        """Writes to ``self.<key>`` by class, and writes through other objects by key."""
        class_writes: dict[tuple[str, str], list[tuple[Function, _Write]]] = {}
        foreign: list[tuple[str, frozenset[str] | None, Function, _Write]] = []
        for function in self.functions:
            for write in self.writes_in(function):
                parts = write.root.split(".")
                head = parts[0]
                owner = function.owner
                if owner is not None and head in (function.self_name, f"{ALL}:{function.self_name}"):
                    if head != function.self_name:
                        class_writes.setdefault((owner.name, ALL), []).append((function, write))
                    elif len(parts) == 2:
                        class_writes.setdefault((owner.name, parts[1]), []).append((function, write))
                    elif len(parts) > 2 and write.rebinding is None:
                        # self.sub.weight.normal_(): a submodule's parameter gets values; a
                        # rebinding there (weight tying) gives no class's storage values
                        foreign.append((parts[-1], None, function, write))
                elif head.startswith(ALL):
                    foreign.append((ALL, write.guard, function, write))
                elif len(parts) >= 2 and (head in function.params or head.startswith(MODULES)):
                    foreign.append((parts[-1], write.guard if len(parts) == 2 else None, function, write))
        return class_writes, foreign

    def writes_in(self, function: Function) -> Iterator[_Write]:
        yield from function.writes
        for callee, call, branch, guards in function.helper_calls:
            target = self._resolve_helper(function, callee)
            if target is None:
                continue
            written = self._params_written(target)
            offset = 1 if target.self_name and target.owner is not None and target.params[:1] == [target.self_name] else 0
            for index, argument in enumerate(call.args):
                if argument.keyword is not None or argument.star:
                    continue
                if index + offset in written:
                    for root, head in _roots(argument.value, function):
                        yield _Write(root, branch, guards.get(head))

    def _resolve_helper(self, function: Function, callee: str) -> Function | None:
        parts = callee.split(".")
        if len(parts) == 1:
            return self.module_functions.get(parts[0])
        if len(parts) == 2 and function.owner is not None and parts[0] == function.self_name:
            return self.method(function.owner, parts[1])
        return None

    def _params_written(self, function: Function) -> frozenset[int]:
        """Positions of the parameters a helper writes (directly or through helpers it calls)."""
        key = id(function)
        if key in self._helper_memo:
            return self._helper_memo[key]
        self._helper_memo[key] = frozenset()  # recursion guard
        written = set()
        for write in self.writes_in(function):
            head = write.root.split(".")[0]
            if head in function.params:
                written.add(function.params.index(head))
        result = self._helper_memo[key] = frozenset(written)
        return result

    # -- classes -----------------------------------------------------------------------

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
            pending.extend(self.classes[b.split(".")[-1]] for b in klass.bases if b.split(".")[-1] in self.classes)
        return order

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        return [k for k in self.classes.values() if k is not cls and cls in self.lineage(k)]

    def has_opaque_base(self, cls: ClassInfo) -> bool:
        """A base defined elsewhere (other than nn.Module) may call initializers itself."""
        for klass in self.lineage(cls):
            for name, node in zip(klass.bases, klass.base_nodes):
                if name.split(".")[-1] in self.classes or name in ("object", "ABC", "abc.ABC", "Generic"):
                    continue
                if self.ctx.names.qualify(node) != "torch.nn.Module":
                    return True
        return False

    def _has_sibling_base(self, cls: ClassInfo) -> bool:
        return any(
            (self.ctx.names.qualify(node) or "").startswith(".")
            for klass in self.lineage(cls)
            for node in klass.base_nodes
        )

    def reachable(self, cls: ClassInfo, after: int | None = None) -> set[str]:
        """Method names construction of ``cls`` runs, as far as this file shows.

        Where construction reaches code this file cannot see (a base from elsewhere, a
        call that takes ``self``), initializer methods count as reached; so does an
        initializer the file calls on an instance (``model.init_weights()`` after building
        on the meta device). With ``after`` (a call-order index in ``__init__``), only the
        methods ``__init__`` calls after that point start the search: what runs once a
        storage created there exists (``self.apply(self._init_weights)`` one line too early
        never reaches it).
        """
        key = (id(cls), after)
        if key in self._reachable:
            return self._reachable[key]
        seen: set[str] = set()
        pending = ["__init__"]
        opaque = self.has_opaque_base(cls)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            function = self.method(cls, name)
            if function is None:
                continue
            calls = function.self_calls.keys()
            if after is not None and name == "__init__":
                calls = {called for called, at in function.self_calls.items() if at > after}
            pending.extend(calls | function.super_calls)
            if any(self.method(cls, c) is None and c not in NN_MODULE_METHODS for c in calls):
                opaque = True
            if function.opaque_self_call:
                opaque = True
        if opaque:
            seen |= set(self.ctx.settings.initializer_methods)
        seen |= self.initializers_called_on_instances
        self._reachable[key] = seen
        return seen

    # -- verdicts ----------------------------------------------------------------------

    def _judge(self, storage: Storage) -> None:
        verdict, initializer = self._binding_verdict(storage, storage.function, storage.roots, storage.branch)
        if verdict == Verdict.UNINITIALIZED and self._escapes(storage):
            # made by a factory function: what counts is what its callers do with the result
            sites = self._call_sites(storage.function)
            if not sites:
                verdict = Verdict.ELSEWHERE
            else:
                results = [self._binding_verdict(storage, caller, roots, (), value) for caller, roots, value in sites]
                verdict, initializer = min(results, key=lambda r: _VERDICT_SEVERITY[r[0]])
        storage.verdict, storage.initializer = verdict, initializer

    def _binding_verdict(
        self,
        storage: Storage,
        function: Function,
        roots: set[str],
        branch: tuple[str, ...],
        binding: cst.BaseExpression | None = None,
    ) -> tuple[str, str | None]:
        """Whether some write gives values to what ``roots`` name in ``function`` (other than
        ``binding``, the factory call that bound them)."""
        for write in self.writes_in(function):
            if write.root in roots and not _exclusive(write.branch, branch):
                if self._writes_values(write, function, storage, binding):
                    return Verdict.INITIALIZED, None
        owner = function.owner
        keys = _attribute_keys(roots, function.self_name)
        if owner is None:
            if keys and any(key == ALL and guard is None for key, guard, _, _ in self._foreign_writes):
                return Verdict.INITIALIZED, None
            return Verdict.UNINITIALIZED, None
        subclasses = self.subclasses(owner)
        related = self.lineage(owner) + subclasses
        created = self._created_in_init(storage) if function is storage.function else None
        related_names = {k.name for k in related}
        wanted = keys | {ALL, DYNAMIC}
        uncalled_initializer: str | None = None
        for key, guard, writer, write in self._foreign_writes:
            if key == ALL and writer.owner is owner:
                continue  # EMA.copy_to writes model.parameters(), not the EMA's own storages
            if write.multi_dim_only and _one_dimensional(storage):
                continue
            if key in wanted and (guard is None or guard & related_names):
                if self._in_uncalled_initializer(writer) or self._runs_only_before(owner, writer, created):
                    # nanoGPT without apply(), or self.apply(self._init_weights) before the storage exists
                    uncalled_initializer = uncalled_initializer or writer.name
                    continue
                return Verdict.INITIALIZED, None
        for klass in related:
            reachable = self.reachable(klass) if klass in subclasses else self.reachable(owner, created)
            for key in wanted:
                for writer, write in self._class_writes.get((klass.name, key), ()):
                    if writer is function and _exclusive(write.branch, branch):
                        continue
                    if not self._writes_values(write, writer, storage, binding):
                        continue
                    if write.multi_dim_only and _one_dimensional(storage):
                        continue  # for p in self.parameters(): if p.dim() > 1: xavier(p)
                    if writer.name in reachable or writer.name not in self.ctx.settings.initializer_methods:
                        return Verdict.INITIALIZED, None
                    uncalled_initializer = uncalled_initializer or writer.name
        if uncalled_initializer is not None:
            return Verdict.INITIALIZER_NOT_CALLED, uncalled_initializer
        return Verdict.UNINITIALIZED, None

    def runs_too_early(self, storage: Storage) -> bool:
        """Construction runs the storage's initializer, but only before creating the storage."""
        owner, name = storage.owner, storage.initializer
        return owner is not None and name is not None and name in self.reachable(owner)

    def _runs_only_before(self, cls: ClassInfo, writer: Function, created: int | None) -> bool:
        """Construction of ``cls`` runs its method ``writer``, but only before the call at index
        ``created`` (None: the storage is not created in ``__init__``)."""
        return (
            created is not None
            and writer.owner is cls
            and writer.name in self.reachable(cls)
            and writer.name not in self.reachable(cls, created)
        )

    def _created_in_init(self, storage: Storage) -> int | None:
        """The call-order index at which ``__init__`` creates the storage (its allocation or
        its wrapping, whichever comes later); None when it is created elsewhere."""
        function = storage.function
        if function.name != "__init__" or function.owner is None:
            return None
        calls = [storage.source.call, *storage.wrap_calls]
        return max(self._call_order[id(call)] for call in calls if id(call) in self._call_order)

    def _escapes(self, storage: Storage) -> bool:
        function = storage.function
        return function.node is not None and any(
            source.call is storage.source.call for value in function.returns for source, _ in self.sources_of(value, function)
        )

    def _call_sites(self, factory: Function) -> list[tuple[Function, set[str], cst.BaseExpression]]:
        """Where a factory's result is bound: ``self.prompt = make_prompt(...)`` gives
        (that method, {"self.prompt"}); a local binding gives its name."""
        sites: list[tuple[Function, set[str], cst.BaseExpression]] = []
        for caller in self.functions:
            bindings = [(root, value) for root, value, _ in caller.attachments]
            bindings += [(name, value) for name, values in caller.local_defs.items() for value in values]
            for root, value in bindings:
                if isinstance(value, cst.Call) and self._calls_function(value, caller, factory):
                    sites.append((caller, {root}, value))
        return sites

    def _calls_function(self, call: cst.Call, caller: Function, factory: Function) -> bool:
        parts = dotted_parts(call.func)
        if parts is None or factory.node is None:
            return False
        callee = self._resolve_helper(caller, ".".join(parts))
        return callee is factory

    def _in_uncalled_initializer(self, writer: Function) -> bool:
        """An initializer method (``GPT._init_weights``) its own class's construction never runs."""
        return (
            writer.owner is not None
            and writer.name in self.ctx.settings.initializer_methods
            and writer.name not in self.reachable(writer.owner)
        )

    def _writes_values(
        self, write: _Write, writer: Function, storage: Storage, binding: cst.BaseExpression | None = None
    ) -> bool:
        """Whether a write puts values into the storage. Binding the storage itself (also
        ``binding``, a factory call's result), or rebinding the name to more uninitialized
        memory (judged on its own), does not."""
        if write.rebinding is None:
            return True
        if write.rebinding is binding:
            return False
        if _is_empty_container(write.rebinding):
            return False  # self.weights = nn.ParameterList() before the appends
        if any(name in storage.roots for name in _names_in(write.rebinding)):
            return False  # self.phi = nn.ParameterList(weights): binds the storage, gives no values
        return not any(
            source.call is storage.source.call or source.kind == Kind.UNINITIALIZED
            for source, _ in self.sources_of(write.rebinding, writer)
        )

    # -- usage -------------------------------------------------------------------------

    def is_torch_module(self, callee: cst.BaseExpression, function: Function) -> bool:
        """Whether ``callee`` holds a ``torch.nn`` layer (``self.rnn`` bound to ``nn.GRU(...)``,
        or a local bound to one), which reads what it is called with."""
        parts = dotted_parts(callee)
        if parts is None:
            return False
        if len(parts) == 1:
            module_level = self.functions[0].local_defs  # criterion = nn.BCELoss() at the top
            values = function.local_defs.get(parts[0]) or module_level.get(parts[0], [])
        elif len(parts) == 2 and parts[0] == function.self_name and function.owner is not None:
            root = ".".join(parts)
            values = [
                value
                for klass in self.lineage(function.owner)
                for method in klass.methods.values()
                for attached, value, _ in method.attachments
                if attached == root
            ]
        else:
            return False
        return any(self._is_torch_layer(value) for value in values)

    def _is_torch_layer(self, value: cst.BaseExpression) -> bool:
        if not isinstance(value, cst.Call):
            return False
        qualified = self.ctx.names.qualify_torch(value.func) or ""
        return qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1][:1].isupper()


    def used_as_weight(self, storage: Storage) -> bool:
        """Whether a method other than construction multiplies inputs by this storage."""
        owner = storage.owner
        keys = storage.attribute_keys() - {DYNAMIC}
        if owner is None or not keys:
            return False
        for function in owner.methods.values():
            if function.name == "__init__" or function.name in self.ctx.settings.initializer_methods:
                continue
            finder = _WeightUse(function.self_name or "self", keys)
            for body in function.bodies:
                finder.walk(body)
            if finder.found:
                return True
        return False


_LOADED_DTYPE = re.compile(r"(?i)\bu?int\d|float8|fp8|fp4|int4|qu?int|\bbool\b")


def _is_load_only(storage: Storage) -> bool:
    """Frozen (``requires_grad`` anything but ``True``) or of a dtype nothing trains: a
    container a checkpoint fills."""
    for call in storage.wrap_calls:
        if _method_name(call) in ("register_parameter", "register_buffer"):
            continue
        requires_grad = _argument(call, 1, "requires_grad")
        if requires_grad is not None and not (isinstance(requires_grad, cst.Name) and requires_grad.value == "True"):
            return True
    return _has_loaded_dtype(storage)


def _marks_container(storage: Storage) -> bool:
    """A storage that makes its whole class a checkpoint container: quantized, or frozen
    with a dtype chosen by the caller (EetqLinear's ``dtype=dtype``, int8 by default). A
    frozen float table (MAE's sin-cos positions) says nothing about its siblings."""
    if _has_loaded_dtype(storage):
        return True
    dtype = _argument(storage.source.call, 99, "dtype")
    if dtype is None or not _is_load_only(storage):
        return False
    return not re.search(r"float(?:16|32|64)?\b|bfloat16|half|double", cst.Module([]).code_for_node(dtype))


def _has_loaded_dtype(storage: Storage) -> bool:
    """Quantized or integer storage: no optimizer trains it, a checkpoint fills it, and so
    its whole class is a container (its float scales and biases come from the same file)."""
    dtype = _argument(storage.source.call, 99, "dtype")
    return dtype is not None and bool(_LOADED_DTYPE.search(cst.Module([]).code_for_node(dtype)))


_CONTAINERS = frozenset({"ParameterList", "ParameterDict", "ModuleList", "ModuleDict", "Sequential", "list", "tuple", "dict"})


def _parts_carrying_storage(expr: cst.BaseExpression, ctx: FileContext) -> list[cst.BaseExpression]:
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
        if parts and parts[-1] in _CONTAINERS and (len(parts) == 1 or ctx.names.qualify_torch(expr.func)):
            return [expr.args[0].value]
    return []


def _is_empty_container(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict)) and not value.elements:
        return True
    if isinstance(value, cst.Call) and not value.args:
        parts = dotted_parts(value.func)
        return bool(parts) and parts[-1] in _CONTAINERS
    return False


def _one_dimensional(storage: Storage) -> bool:
    sizes = [a for a in storage.source.call.args if a.keyword is None]
    return len(sizes) == 1 and not sizes[0].star and not isinstance(sizes[0].value, (cst.Tuple, cst.List, cst.Call))


def _allocates_nothing(call: cst.Call) -> bool:
    device = _argument(call, 99, "device")
    if device is not None and "meta" in cst.Module([]).code_for_node(device):
        return True
    sizes = [a.value for a in call.args if a.keyword is None]
    if len(sizes) == 1 and isinstance(sizes[0], (cst.Tuple, cst.List)):
        sizes = [e.value for e in sizes[0].elements]
    return any(isinstance(size, cst.Integer) and size.evaluated_value == 0 for size in sizes)


def _attribute_keys(roots: set[str], self_name: str | None) -> set[str]:
    keys = set()
    for root in roots:
        parts = root.split(".")
        if self_name and len(parts) == 2 and parts[0] == self_name:
            keys.add(parts[1])
    return keys


# Across several call sites of a factory, the worst outcome is the verdict.
_VERDICT_SEVERITY = {Verdict.UNINITIALIZED: 0, Verdict.INITIALIZER_NOT_CALLED: 1, Verdict.INITIALIZED: 2}


def _exclusive(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two branch paths lie in different arms of the same ``if``."""
    arms_a = {item.rsplit(":", 1)[0]: item for item in a}
    for item in b:
        decision = item.rsplit(":", 1)[0]
        if decision in arms_a and arms_a[decision] != item:
            return True
    return False


def _argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == keyword:
            return argument.value
    if position < len(positional):
        return positional[position].value
    return None


def _method_name(call: cst.Call) -> str | None:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def size_arguments(call: cst.Call, function: Function | None = None) -> str:
    """Whether a legacy constructor's arguments are sizes, data, ambiguous, or absent.

    ``torch.Tensor(3, 4)`` and ``torch.Tensor(*shape)`` allocate; ``torch.Tensor([3, 4])``
    copies; a single name could be either (an int allocates uninitialized memory): what the
    function bound it to decides (``b = x.size(0)``), else its name.
    """
    positional = [a for a in call.args if a.keyword is None]
    if any(a.keyword is not None and a.keyword.value == "size" for a in call.args):
        return "size"  # th.FloatTensor(size=(1, heads, feats)), DGL's spelling
    if not positional:
        return "none"
    if any(a.star == "*" for a in positional) or len(positional) >= 2:
        return "size"
    value = positional[0].value
    if isinstance(value, cst.Name) and function is not None and function.local_defs.get(value.value):
        forms = {_classify_single(bound) for bound in function.local_defs[value.value]}
        if len(forms) == 1 and forms != {"ambiguous"}:
            return forms.pop()
    return _classify_single(value)


def _classify_single(value: cst.BaseExpression) -> str:
    if isinstance(value, (cst.Integer, cst.BinaryOperation)) or (
        isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer)
    ):
        return "size" if not isinstance(value, cst.BinaryOperation) or _arith_of_sizes(value) else "ambiguous"
    if isinstance(value, (cst.List, cst.Tuple, cst.ListComp, cst.Set, cst.Float, cst.GeneratorExp)):
        return "data"
    if isinstance(value, cst.Call):
        parts = dotted_parts(value.func)
        if parts is None:
            return "ambiguous"
        name = ".".join(parts)
        if parts[0] == "torch" and parts[-1] == "Size":
            return "size"
        if name in _SIZE_CALLS or parts[-1] in _SIZE_METHODS:
            return "size"
        if parts[0] in ("np", "numpy") or parts[-1] in ("numpy", "tolist", "list", "array", "asarray", "load"):
            return "data"
        return "ambiguous"
    if isinstance(value, cst.Attribute) and value.attr.value == "shape":
        return "size"
    if isinstance(value, cst.Subscript):
        inner = value.value
        if isinstance(inner, cst.Attribute) and inner.attr.value == "shape":
            return "size"
        return "ambiguous"
    parts = dotted_parts(value)
    if parts is not None and _is_size_name(parts[-1]) and not _COLLECTION_NAME.search(parts[-1]):
        return "size"
    return "ambiguous"


def _arith_of_sizes(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.BinaryOperation):
        return _arith_of_sizes(value.left) and _arith_of_sizes(value.right)
    if isinstance(value, cst.Integer):
        return True
    return _classify_single(value) == "size"


def _roots(expr: cst.BaseExpression, function: Function) -> list[tuple[str, str]]:
    """Dotted roots a write through ``expr`` reaches (loop aliases substituted), each with
    the variable it was written through (for ``isinstance`` guards). Writing a gradient
    (``p.grad.zero_()``) or only the padding row (``w[padding_idx].zero_()``) gives the
    storage no values."""
    while True:
        if isinstance(expr, cst.Subscript):
            if any("pad" in cst.Module([]).code_for_node(e.slice) for e in expr.slice):
                return []
            expr = expr.value
        elif isinstance(expr, cst.Attribute) and expr.attr.value == "data":
            expr = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in PASSTHROUGH_METHODS:
            expr = expr.func.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "getattr" and len(expr.args) >= 2:
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


def _attribute_behind(value: cst.BaseExpression) -> list[str] | None:
    while True:
        if isinstance(value, cst.Subscript):
            value = value.value
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in PASSTHROUGH_METHODS:
            value = value.func.value
        else:
            break
    parts = dotted_parts(value)
    return parts if parts is not None and len(parts) >= 2 else None


class _WeightUse(Walker):
    """Finds ``self.key`` as an operand that multiplies inputs: ``@``, matmul, linear, einsum, conv."""

    _MULTIPLYING = re.compile(r"(?:^|\.)(?:linear|bilinear|matmul|mm|bmm|einsum|addmm|baddbmm|conv\w*|tensordot|mv|chain_matmul)$")

    def __init__(self, self_name: str, keys: set[str]) -> None:
        super().__init__()
        self.targets = {f"{self_name}.{key}" for key in keys}
        self.found = False

    def _is_weight(self, operand: cst.BaseExpression) -> bool:
        while True:
            if isinstance(operand, cst.Subscript):
                operand = operand.value
            elif isinstance(operand, cst.Attribute) and operand.attr.value in ("T", "mT", "H", "data"):
                operand = operand.value
            elif isinstance(operand, cst.Call) and isinstance(operand.func, cst.Attribute) and operand.func.attr.value in PASSTHROUGH_METHODS:
                operand = operand.func.value
            else:
                break
        parts = dotted_parts(operand)
        return parts is not None and ".".join(parts) in self.targets

    def enter_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.MatrixMultiply) and (self._is_weight(node.left) or self._is_weight(node.right)):
            self.found = True

    def enter_Call(self, node: cst.Call) -> None:
        parts = dotted_parts(node.func)
        if parts and self._MULTIPLYING.search(".".join(parts)) and any(self._is_weight(a.value) for a in node.args):
            self.found = True


class _Collector(Walker):
    """One pass over the module that records, per function, what InitFlow needs."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.module_function = module_function = Function(None, None, None)
        self.functions: list[Function] = [module_function]
        self.chunk: ParsedChunk | None = None
        self.chunk_of: dict[int, ParsedChunk] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.module_functions: dict[str, Function] = {}
        self._functions: list[Function] = [module_function]
        self._classes: list[ClassInfo | None] = [None]  # None inside a function body
        self._branch: list[str] = []
        self._guards: list[dict[str, frozenset[str]]] = [{}]
        self._if_numbers: dict[int, int] = {}
        self._multi_dim: list[set[str]] = [set()]  # variables an enclosing if requires to be >= 2-D
        self.instance_calls: set[str] = set()  # methods called on something other than self
        self.call_order: dict[int, int] = {}  # id of every call -> its index in file order

    @property
    def _function(self) -> Function:
        return self._functions[-1]

    # scopes
    def enter_ClassDef(self, node: cst.ClassDef) -> None:
        base_nodes = [arg.value for arg in node.bases if arg.keyword is None]
        spelled = [".".join(dotted_parts(base) or []) for base in base_nodes]
        info = ClassInfo(node.name.value, node, spelled, base_nodes)
        self.chunk_of[id(node.name)] = self.chunk  # type: ignore[assignment]
        self.classes.setdefault(info.name, info)
        self._classes.append(info)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.pop()

    def enter_FunctionDef(self, node: cst.FunctionDef) -> None:
        enclosing_class = self._classes[-1]
        params = [p.name.value for p in (*node.params.posonly_params, *node.params.params)]
        if enclosing_class is not None:
            static = any(_decorator_name(d) == "staticmethod" for d in node.decorators)
            owner, self_name = enclosing_class, (None if static or not params else params[0])
        else:
            owner, self_name = self._function.owner, self._function.self_name
        function = Function(node, owner, self_name, params, bodies=[node])
        self.functions.append(function)
        if enclosing_class is not None:
            enclosing_class.methods.setdefault(node.name.value, function)
        elif self._function is self.module_function:
            self.module_functions.setdefault(node.name.value, function)
        self._functions.append(function)
        self._classes.append(None)
        self._guards.append({})

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._classes.pop()
        self._guards.pop()

    # branches and guards
    def enter_If(self, node: cst.If) -> bool:
        """Walk the arms with their branch marks and the body with its isinstance guards."""
        number = self._if_numbers[id(node)] = len(self._if_numbers)
        self.walk(node.test)
        self._branch.append(f"if{number}:body")
        self._guards.append({**self._guards[-1], **_isinstance_guards(node.test)})
        test = cst.Module([]).code_for_node(node.test)
        guarded = {name for pair in _MULTI_DIM_TEST.findall(test) for name in pair if name}
        self._multi_dim.append(self._multi_dim[-1] | guarded)
        self.walk(node.body)
        self._multi_dim.pop()
        self._guards.pop()
        self._branch.pop()
        if node.orelse is not None:
            self._branch.append(f"if{number}:else")
            self.walk(node.orelse)
            self._branch.pop()
        return False

    # bindings
    def enter_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def enter_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        function = self._function
        if isinstance(target, cst.Name):
            function.local_defs.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(value, (cst.Tuple, cst.List)) and len(target.elements) == len(value.elements):
                for element, item in zip(target.elements, value.elements):
                    self._bind(element.value, item.value)
        elif isinstance(target, cst.Subscript) or (isinstance(target, cst.Attribute) and target.attr.value == "data"):
            self._write(target, attach=value)  # slice or .data assignment
        elif isinstance(target, cst.Attribute):
            self._write(target, attach=value, rebinding=value)

    def enter_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self._function.returns.append(node.value)

    def enter_CompFor(self, node: cst.CompFor) -> None:
        self.enter_For(node)  # type: ignore[arg-type]

    def enter_ListComp(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp) -> bool:
        """The ``for`` binds its aliases before the element that uses them runs."""
        self.walk(node.for_in)
        self.walk(node.elt)
        return False

    enter_SetComp = enter_GeneratorExp = enter_ListComp

    def enter_DictComp(self, node: cst.DictComp) -> bool:
        self.walk(node.for_in)
        self.walk(node.key)
        self.walk(node.value)
        return False

    def enter_For(self, node: cst.For) -> None:
        if self._pair_tuple_targets(node.target, node.iter):
            return
        aliases = _iteration_aliases(node.iter, self._function)
        target = node.target
        if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
            target = target.elements[-1].value  # for name, p in named_parameters()
        if aliases and isinstance(target, cst.Name):
            self._function.loop_aliases.setdefault(target.value, []).extend(aliases)

    def _pair_tuple_targets(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> bool:
        """``for w, b in ((self.w1, self.b1), (self.w2, self.b2))``: element i of the target
        stands for element i of each row (``zip(ws, bs)`` likewise)."""
        if not isinstance(target, (cst.Tuple, cst.List)):
            return False
        if isinstance(iterable, cst.Call) and _is_name(iterable.func, "zip"):
            columns = [[a.value] for a in iterable.args]
        elif isinstance(iterable, (cst.Tuple, cst.List)) and all(
            isinstance(e.value, (cst.Tuple, cst.List)) and len(e.value.elements) == len(target.elements)
            for e in iterable.elements
        ):
            rows = [[item.value for item in e.value.elements] for e in iterable.elements]  # type: ignore[attr-defined]
            columns = [list(column) for column in zip(*rows)]
        else:
            return False
        if len(columns) != len(target.elements):
            return False
        function = self._function
        for element, column in zip(target.elements, columns):
            if isinstance(element.value, cst.Name):
                for value in column:
                    aliases = _iteration_aliases(value, function) if isinstance(iterable, cst.Call) else [
                        root for root, _ in _roots(value, function)
                    ]
                    function.loop_aliases.setdefault(element.value.value, []).extend(aliases)
        return True

    # calls
    def enter_Call(self, node: cst.Call) -> None:
        function = self._function
        names = self.ctx.names
        branch = tuple(self._branch)
        func = node.func
        self.chunk_of[id(node)] = self.chunk  # type: ignore[assignment]
        self.call_order[id(node)] = len(self.call_order)
        if names.is_parameter_class(func):
            function.wraps.append((node, "parameter", branch))
        elif names.is_buffer_class(func):
            function.wraps.append((node, "buffer", branch))
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Attribute) and method in ("register_parameter", "register_buffer") and len(node.args) >= 2:
            function.wraps.append((node, "register", branch))
            self._attach_named(func.value, node.args[0].value, node.args[1].value, rebinding=False)
        elif isinstance(func, cst.Name) and func.value == "setattr" and len(node.args) >= 3:
            self._attach_named(node.args[0].value, node.args[1].value, node.args[2].value, rebinding=True)
        elif isinstance(func, cst.Attribute) and method in ("append", "extend", "insert", "add_module") and node.args:
            owner = dotted_parts(func.value)
            if owner is not None:
                function.attachments.append((".".join(owner), node.args[-1].value, branch))
        if isinstance(func, cst.Attribute) and method in WRITER_METHODS and not self._copies_parameters(func.value, node):
            self._write(func.value)
        if isinstance(func, cst.Attribute) and method == "load_state_dict":
            owner = dotted_parts(func.value)  # a checkpoint overwrites every parameter and buffer
            if owner is not None:
                function.writes.append(_Write(f"{ALL}:{'.'.join(owner)}", branch, None))
        for argument in node.args:
            if argument.keyword is not None and argument.keyword.value == "out":
                self._write(argument.value)
        parts = dotted_parts(func)
        qualified = names.qualify(func)
        if (qualified and legacy_constructor_dtype(qualified)) or (method == "new" and names.qualify(func.value) is None):  # type: ignore[union-attr]
            function.legacy_calls.append(node)
        if is_init_function(func, parts, qualified, self.ctx, function):
            if (qualified or "").startswith("torch.nn.init."):
                targets = [_argument(node, 0, "tensor")]
            else:  # helpers differ in where the tensor goes: PyG's uniform(size, tensor)
                targets = [a.value for a in node.args if a.keyword is None] or [_argument(node, 0, "tensor")]
            for target in targets:
                if target is not None:
                    self._write(target)
        elif parts is not None and qualified is None:
            function.helper_calls.append((".".join(parts), node, branch, self._guards[-1]))
        self._note_construction_call(node, method, parts)

    def _copies_parameters(self, target: cst.BaseExpression, call: cst.Call) -> bool:
        """``target_param.data.copy_(tau * param.data + ...)``: parameters copied into other
        parameters (a soft update) get no new values. (Copying them into a fresh tensor,
        an EMA's shadow, does initialize that tensor.)"""
        aliases = self._function.loop_aliases

        def from_parameter_loop(names: list[str]) -> bool:
            return any(alias.startswith(ALL) for name in names for alias in aliases.get(name, ()))

        return from_parameter_loop(_names_in(target)) and from_parameter_loop(
            [n for a in call.args for n in _names_in(a.value)]
        )

    def _attach_named(
        self, owner_node: cst.BaseExpression, key: cst.BaseExpression, value: cst.BaseExpression, rebinding: bool
    ) -> None:
        """``register_*(name, value)`` and ``setattr(owner, name, value)``."""
        owner = dotted_parts(owner_node)
        if owner is None:
            return
        name = key.raw_value if isinstance(key, cst.SimpleString) else DYNAMIC
        root = ".".join([*owner, name])
        self._function.attachments.append((root, value, tuple(self._branch)))
        if rebinding:
            self._function.writes.append(_Write(root, tuple(self._branch), None, rebinding=value))

    def _note_construction_call(self, node: cst.Call, method: str | None, parts: list[str] | None) -> None:
        """Record what construction may run: self methods, super() methods, opaque calls."""
        function = self._function
        func = node.func
        if isinstance(func, cst.Attribute) and method is not None:
            receiver = func.value
            if _is_name(receiver, function.self_name):
                at = self.call_order[id(node)]
                function.self_calls[method] = at
                if method == "apply":
                    for argument in node.args:
                        callback = dotted_parts(argument.value)
                        if callback and len(callback) == 2 and callback[0] == function.self_name:
                            function.self_calls[callback[1]] = at
            elif isinstance(receiver, cst.Call) and _is_name(receiver.func, "super"):
                function.super_calls.add(method)
            elif isinstance(receiver, cst.Name) and node.args and _is_name(node.args[0].value, function.self_name):
                function.super_calls.add(method)  # Base.__init__(self, ...)
            else:
                self.instance_calls.add(method)
        if (
            parts is not None
            and len(parts) == 1
            and parts[0] not in _INERT_BUILTINS
            and any(_is_name(a.value, function.self_name) for a in node.args)
        ):
            function.opaque_self_call = True  # some_helper(self) may call initializers

    def _write(
        self,
        target: cst.BaseExpression,
        attach: cst.BaseExpression | None = None,
        rebinding: cst.BaseExpression | None = None,
    ) -> None:
        function = self._function
        branch = tuple(self._branch)
        for root, head in _roots(target, function):
            multi_dim_only = head in self._multi_dim[-1]
            function.writes.append(_Write(root, branch, self._guards[-1].get(head), rebinding, multi_dim_only))
            if attach is not None:
                function.attachments.append((root, attach, branch))


_MULTI_DIM_TEST = re.compile(r"(\w+)\.(?:dim\(\)|ndim|ndimension\(\))\s*(?:>\s*1|>=\s*2)|len\(\s*(\w+)\.(?:shape|size\(\))\s*\)\s*(?:>\s*1|>=\s*2)")
_INERT_BUILTINS = frozenset({"isinstance", "hasattr", "getattr", "setattr", "type", "id", "print", "len", "super", "repr", "str"})


def _names_in(expr: cst.CSTNode) -> list[str]:
    found: list[str] = []
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name):
            found.append(node.value)
        else:
            pending.extend(children(node))
    return found


def _is_name(node: cst.BaseExpression, name: str | None) -> bool:
    return name is not None and isinstance(node, cst.Name) and node.value == name


def _decorator_name(decorator: cst.Decorator) -> str:
    parts = dotted_parts(decorator.decorator)
    return parts[-1] if parts else ""


def is_init_function(
    func: cst.BaseExpression, parts: list[str] | None, qualified: str | None, ctx: FileContext, function: Function
) -> bool:
    """``torch.nn.init.*`` (also ``getattr(nn.init, name)`` and a local ``partial`` of one),
    configured ``init-functions``, imported helpers named like one, and an initializer the
    enclosing function was handed (``init_method(self.weight)``, Megatron style)."""
    if isinstance(func, cst.Call) and _is_name(func.func, "getattr") and func.args:
        return (ctx.names.qualify(func.args[0].value) or "") == "torch.nn.init"
    if parts is None:
        return False
    extra = ctx.settings.init_functions
    if ".".join(parts) in extra or parts[-1] in extra or qualified in extra:
        return True
    if qualified is not None:
        if qualified.startswith("torch.nn.init."):
            return True
        if qualified == "torch" or qualified.startswith("torch."):
            return False
    if qualified is None and len(parts) >= 2 and parts[0] in function.params and re.search(r"init", parts[-1], re.I):
        return True  # args.init_method(w): an initializer handed in on a config object
    if len(parts) == 1:
        if parts[0] in function.params and _INITISH_NAME.search(parts[0]):
            return True
        for value in function.local_defs.get(parts[0], ()):
            if isinstance(value, cst.Call) and (dotted_parts(value.func) or [""])[-1] == "partial" and value.args:
                value = value.args[0].value
            if (ctx.names.qualify(value) or "").startswith("torch.nn.init."):
                return True
    if len(parts) > 1 and qualified is None and _is_local(parts[0], function):
        return False  # p.copy_(src), w.normal_(): a tensor's own method, not init.copy_(dst, src)
    return parts[-1] in INIT_FUNCTION_NAMES or (qualified is not None and bool(_INITISH_NAME.search(parts[-1])))


def _is_local(name: str, function: Function) -> bool:
    return name in function.params or name in function.local_defs or name in function.loop_aliases or name == function.self_name


def _isinstance_guards(test: cst.BaseExpression) -> dict[str, frozenset[str]]:
    guards: dict[str, frozenset[str]] = {}
    for call in _calls_in_test(test):
        if not (isinstance(call.func, cst.Name) and call.func.value == "isinstance" and len(call.args) == 2):
            continue
        variable = call.args[0].value
        if not isinstance(variable, cst.Name):
            continue
        names = set()
        for value in _union_members(call.args[1].value):
            parts = dotted_parts(value)
            if parts:
                names.add(parts[-1])
        guards[variable.value] = guards.get(variable.value, frozenset()) | frozenset(names)
    return guards


def _union_members(classes: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``(A, B)``, ``[A, B]`` and ``A | B`` as their members."""
    if isinstance(classes, (cst.Tuple, cst.List)):
        return [m for element in classes.elements for m in _union_members(element.value)]
    if isinstance(classes, cst.BinaryOperation) and isinstance(classes.operator, cst.BitOr):
        return [*_union_members(classes.left), *_union_members(classes.right)]
    return [classes]


def _calls_in_test(test: cst.BaseExpression) -> Sequence[cst.Call]:
    if isinstance(test, cst.Call):
        return [test]
    if isinstance(test, cst.BooleanOperation):
        return [*_calls_in_test(test.left), *_calls_in_test(test.right)]
    return []


def _iteration_aliases(iterable: cst.BaseExpression, function: Function) -> list[str]:
    """What a loop variable stands for: every parameter of X, every module of X, or roots."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
        method = iterable.func.attr.value
        owner = dotted_parts(iterable.func.value)
        if method in ("values", "items") and isinstance(iterable.func.value, cst.Call):
            inner = iterable.func.value
            if isinstance(inner.func, cst.Attribute) and inner.func.attr.value == "state_dict":
                owner_parts = dotted_parts(inner.func.value)
                return [f"{ALL}:{'.'.join(owner_parts)}"] if owner_parts else []
        if method in ("values", "items") and owner is not None:
            return [root for root, _ in _roots(iterable.func.value, function)]  # self.params.values()
        if owner is not None and method in PARAMETER_ITERATORS:
            return [f"{ALL}:{'.'.join(owner)}"]
        if owner is not None and method in MODULE_ITERATORS:
            return [f"{MODULES}:{'.'.join(owner)}"]
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value in ("enumerate", "zip", "reversed", "list", "tuple"):
        aliases: list[str] = []
        for argument in iterable.args:
            aliases.extend(_iteration_aliases(argument.value, function))
        return aliases
    if isinstance(iterable, (cst.List, cst.Tuple)):
        roots: list[str] = []
        for element in iterable.elements:
            roots.extend(root for root, _ in _roots(element.value, function))
        return roots
    return [root for root, _ in _roots(iterable, function) if "." in root or root in function.params]
