"""What writes which storage: the initialization flow of parameters and buffers in one file.

A storage (``analysis.storages``) is *initialized* when some write reaches it:

* in the function that creates it, through any local name or attribute it was bound to
  (``w = torch.empty(n); init.normal_(w); self.w = Parameter(w)``), unless the write sits
  in the other branch of an ``if`` that the creation sits in;
* in a method of its class, a same-file base or subclass (``self.w.data.normal_()``,
  loops over ``self.parameters()``, ``getattr(self, name)``) — a write in an
  initializer-named method (``reset_parameters`` …) counts only when construction reaches
  it, otherwise the storage is *initializer-not-called*;
* never, by design, in a *load-only* storage: a quantized-dtype one (int8, FP8 …), a frozen
  one (``requires_grad`` anything but ``True``) of a dtype the caller chooses, and every
  storage of a class holding one of those exist to receive a checkpoint, so they are not
  judged (a frozen float storage is: its garbage is read all the same);
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
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.analysis.index import ALL, DYNAMIC, MODULES, ClassInfo, FileIndex, Function, Write, exclusive
from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.analysis.shapes import is_one_dimensional
from ruff_like_rules.analysis.storages import Provenance, Storage, attribute_keys, is_empty_container
from ruff_like_rules.analysis.usage import reads_only_metadata
from ruff_like_rules.analysis.verdicts import SEVERITY, Kind, Verdict
from ruff_like_rules.analysis.writes import roots
from ruff_like_rules.syntax.nodes import argument, code_of, dotted_parts, method_name, names_in
from ruff_like_rules.vocabulary.torch_api import NN_MODULE_METHODS, WRAPPING_METHODS


class InitFlow:
    """Every storage of the file, each with its verdict."""

    def __init__(self, index: FileIndex, storages: list[Storage], options: AnalysisOptions, provenance: Provenance) -> None:
        self.index = index
        self.names = index.names
        self.provenance = provenance
        self.storages = storages
        self.initializer_methods = options.initializer_methods
        self.initializers_called_on_instances = index.instance_calls & options.initializer_methods
        self._helper_memo: dict[int, frozenset[int]] = {}
        self._reachable: dict[tuple[int, int | None], tuple[set[str], set[str]]] = {}  # reached, undefined
        self._class_writes, self._foreign_writes = self._all_writes()
        load_only = {id(s.owner) for s in storages if s.owner is not None and _marks_container(s)}
        for storage in storages:
            if _is_load_only(storage) or id(storage.owner) in load_only:
                storage.verdict = Verdict.LOAD_ONLY
            elif storage.owner is not None and index.has_sibling_base(storage.owner):
                storage.verdict = Verdict.ELSEWHERE
            else:
                self._judge(storage)
                if storage.verdict == Verdict.UNINITIALIZED and storage.wrapper == "buffer" and reads_only_metadata(storage, index):
                    storage.verdict = Verdict.METADATA_ONLY

    @property
    def foreign_writes(self) -> list[tuple[str, frozenset[str] | None, Function, Write]]:
        """Writes through other objects: (key, isinstance guard, writer, write)."""
        return self._foreign_writes

    def raw_memory_storages(self, verdict: Verdict) -> Iterator[Storage]:
        """Storages made from uninitialized memory that got ``verdict``."""
        return (s for s in self.storages if s.source.kind == Kind.UNINITIALIZED and s.verdict == verdict)

    # -- writes ------------------------------------------------------------------------

    def _all_writes(
        self,
    ) -> tuple[
        dict[tuple[str, str], list[tuple[Function, Write]]], list[tuple[str, frozenset[str] | None, Function, Write]]
    ]:
        """Writes to ``self.<key>`` by class, and writes through other objects by key."""
        class_writes: dict[tuple[str, str], list[tuple[Function, Write]]] = {}
        foreign: list[tuple[str, frozenset[str] | None, Function, Write]] = []
        for function in [*self.index.functions, *self.index.inherited_methods()]:
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
                    if head in function.params and self._inherited_off_construction(function):
                        continue  # PreTrainedModel's resize_token_embeddings helper writes new_embeddings.weight
                    foreign.append((parts[-1], write.guard if len(parts) == 2 else None, function, write))
        return class_writes, foreign

    def writes_in(self, function: Function) -> Iterator[Write]:
        yield from function.writes
        for callee, call, branch, guards in function.helper_calls:
            target = self._resolve_helper(function, callee)
            if target is None:
                continue
            written = self._params_written(target)
            offset = 1 if target.self_name and target.owner is not None and target.params[:1] == [target.self_name] else 0
            for index, arg in enumerate(call.args):
                if arg.keyword is not None or arg.star:
                    continue
                if index + offset in written:
                    for root, head in roots(arg.value, function):
                        yield Write(root, branch, guards.get(head))

    def _resolve_helper(self, function: Function, callee: str, seen: frozenset[str] = frozenset()) -> Function | None:
        parts = callee.split(".")
        if len(parts) == 1:
            home = function.owner.home if function.owner is not None and function.owner.home else self.index
            found = home.module_functions.get(parts[0]) or function.nested.get(parts[0])
            if found is None and parts[0] not in seen:
                found = self._made_by_factory(function, parts[0], seen | {parts[0]})
            return found
        if len(parts) == 2 and function.owner is not None and parts[0] == function.self_name:
            return self.index.method(function.owner, parts[1])
        return None

    def _made_by_factory(self, function: Function, name: str, seen: frozenset[str]) -> Function | None:
        """The def a factory returns, where the local ``name`` holds its result:
        ``init = make_initializer(...)`` binds ``init`` to the closure ``make_initializer``
        defines and returns (timm's ``get_condconv_initializer``)."""
        for value in function.local_defs.get(name, ()):
            parts = dotted_parts(value.func) if isinstance(value, cst.Call) else None
            factory = self._resolve_helper(function, ".".join(parts), seen) if parts else None
            if factory is None:
                continue
            for returned in factory.returns:
                if isinstance(returned, cst.Name) and returned.value in factory.nested:
                    return factory.nested[returned.value]
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
            return self._reachable[key][0]
        seen: set[str] = set()
        unseen: set[str] = set()
        pending = ["__init__"]
        opaque = self.index.has_opaque_base(cls)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            function = self.index.method(cls, name)
            if function is None:
                continue
            calls = function.self_calls.keys()
            if after is not None and name == "__init__":
                calls = {called for called, at in function.self_calls.items() if at > after}
            pending.extend(calls | function.super_calls)
            missing = {c for c in calls if self.index.method(cls, c) is None and c not in NN_MODULE_METHODS}
            if missing:
                unseen |= missing
                opaque = True
            if function.opaque_self_call:
                opaque = True
        if opaque:
            seen |= set(self.initializer_methods)
        seen |= self.initializers_called_on_instances
        self._reachable[key] = (seen, unseen)
        return seen

    def runs_unseen_base_method(self, cls: ClassInfo, after: int | None) -> bool:
        """Construction calls, after ``after``, a method of ``self`` that no class of the
        lineage defines here while some base could not be read: that base's method
        (``self.init_weights()`` of a base from an unindexed package) may write anything."""
        self.reachable(cls, after)
        return bool(self._reachable[(id(cls), after)][1]) and self.index.has_opaque_base(cls)

    # -- verdicts ----------------------------------------------------------------------

    def _judge(self, storage: Storage) -> None:
        verdict, initializer = self._binding_verdict(storage, storage.function, storage.roots, storage.branch)
        owner = storage.owner
        if verdict == Verdict.UNINITIALIZED and owner is not None and self.runs_unseen_base_method(owner, self._created_in_init(storage)):
            verdict = Verdict.ELSEWHERE
        if verdict == Verdict.UNINITIALIZED and self._escapes(storage):
            # made by a factory function: what counts is what its callers do with the result
            sites = self._call_sites(storage.function)
            if not sites:
                verdict = Verdict.ELSEWHERE
            else:
                results = [self._binding_verdict(storage, caller, roots, (), value) for caller, roots, value in sites]
                verdict, initializer = min(results, key=lambda r: SEVERITY[r[0]])
        storage.verdict, storage.initializer = verdict, initializer

    def _binding_verdict(
        self,
        storage: Storage,
        function: Function,
        roots: set[str],
        branch: tuple[str, ...],
        binding: cst.BaseExpression | None = None,
    ) -> tuple[Verdict, str | None]:
        """Whether some write gives values to what ``roots`` name in ``function`` (other than
        ``binding``, the factory call that bound them)."""
        for write in self.writes_in(function):
            if write.root in roots and not exclusive(write.branch, branch):
                if self._writes_values(write, function, storage, binding):
                    return Verdict.INITIALIZED, None
        if function is storage.function and self._reset_after_attaching(storage, roots):
            return Verdict.INITIALIZED, None
        owner = function.owner
        keys = attribute_keys(roots, function.self_name)
        if owner is None:
            if keys and any(key == ALL and guard is None for key, guard, _, _ in self._foreign_writes):
                return Verdict.INITIALIZED, None
            return Verdict.UNINITIALIZED, None
        subclasses = self.index.subclasses(owner)
        related = self.index.lineage(owner) + subclasses
        created = self._created_in_init(storage) if function is storage.function else None
        related_names = {k.name for k in related}
        wanted = keys | {ALL, DYNAMIC}
        uncalled_initializer: str | None = None
        for key, guard, writer, write in self._foreign_writes:
            if key == ALL and writer.owner is owner and writer.name not in self.reachable(owner, created):
                # EMA.copy_to writes model.parameters(), not the EMA's own storages; but
                # self.apply(self._init_weights) runs it on self too
                continue
            if write.multi_dim_only and is_one_dimensional(storage.source.call):
                continue
            if self._overridden_here(writer):
                continue
            if key in wanted and (guard is None or guard & related_names):
                if self._in_uncalled_initializer(writer) or self._runs_only_before(owner, writer, created):
                    # nanoGPT without apply(), or self.apply(self._init_weights) before the storage exists
                    uncalled_initializer = uncalled_initializer or writer.name
                    continue
                return Verdict.INITIALIZED, None
        for klass in related:
            reachable = self.reachable(klass) if klass in subclasses else self.reachable(owner, created)
            if function is storage.function:
                reachable = reachable | self._called_after_creation(storage)
            for key in wanted:
                for writer, write in self._class_writes.get((klass.name, key), ()):
                    if writer is function and exclusive(write.branch, branch):
                        continue
                    if not self._writes_values(write, writer, storage, binding):
                        continue
                    if write.multi_dim_only and is_one_dimensional(storage.source.call):
                        continue  # for p in self.parameters(): if p.dim() > 1: xavier(p)
                    if writer.name in reachable or writer.name not in self.initializer_methods:
                        return Verdict.INITIALIZED, None
                    uncalled_initializer = uncalled_initializer or writer.name
        if uncalled_initializer is not None:
            if uncalled_initializer in self._called_elsewhere():
                return Verdict.INITIALIZED, None  # model.init_weights() in the trainer's file
            return Verdict.INITIALIZER_NOT_CALLED, uncalled_initializer
        return Verdict.UNINITIALIZED, None

    def _called_elsewhere(self) -> frozenset[str]:
        """Initializers other files of the project call on instances; asked only when an
        initializer construction never calls writes a storage (the scan reads every file)."""
        foreign = self.index.foreign
        return foreign.initializers_called_on_instances() if foreign is not None else frozenset()

    def _reset_after_attaching(self, storage: Storage, roots: set[str]) -> bool:
        """The storage becomes an attribute of another module whose initializer then runs:
        ``conv.weight = Parameter(torch.empty(...)); conv.reset_parameters()``."""
        holders = {root.rsplit(".", 1)[0] for root in roots if "." in root}
        holders.discard(storage.function.self_name or "")
        if not holders:
            return False
        order = self.index.call_order
        created = max((order.get(id(c), -1) for c in [storage.source.call, *storage.wrap_calls]), default=-1)
        for callee, call, _, _ in storage.function.helper_calls:
            holder, _, method = callee.rpartition(".")
            head, _, rest = holder.partition(".")
            spelled = {holder, *(".".join(filter(None, (a, rest))) for a in storage.function.loop_aliases.get(head, ()))}
            if spelled & holders and method in self.initializer_methods and order.get(id(call), -1) > created:
                return True
        return False

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
        return max(self.index.call_order[id(call)] for call in calls if id(call) in self.index.call_order)

    def _called_after_creation(self, storage: Storage) -> set[str]:
        """Methods a method other than ``__init__`` calls on ``self`` once it has created the
        storage: a lazy layer's ``forward`` that builds its weight, then ``reset_parameters()``."""
        function = storage.function
        if function.name == "__init__" or function.owner is None:
            return set()
        calls = [storage.source.call, *storage.wrap_calls]
        created = max((self.index.call_order[id(c)] for c in calls if id(c) in self.index.call_order), default=-1)
        return {name for name, at in function.self_calls.items() if at > created}

    def _escapes(self, storage: Storage) -> bool:
        function = storage.function
        return function.node is not None and any(
            source.call is storage.source.call for value in function.returns for source, _ in self.provenance.sources_of(value, function)
        )

    def _call_sites(self, factory: Function) -> list[tuple[Function, set[str], cst.BaseExpression]]:
        """Where a factory's result is bound: ``self.prompt = make_prompt(...)`` gives
        (that method, {"self.prompt"}); a local binding gives its name."""
        sites: list[tuple[Function, set[str], cst.BaseExpression]] = []
        for caller in self.index.functions:
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

    def _inherited_off_construction(self, function: Function) -> bool:
        """A method of another file's base that is no initializer and that construction of
        no class here deriving from it calls: what it writes through its arguments (a
        resized embedding, a model passed in) is not this file's storages."""
        base = function.owner
        if base is None or base.home is self.index or function.name in self.initializer_methods:
            return False
        return not any(function.name in self.reachable(klass) for klass in self.index.subclasses(base))

    def _overridden_here(self, writer: Function) -> bool:
        """A method of another file's class that every class of this file deriving from it
        overrides without calling it through ``super()``: transformers' ``PreTrainedModel.
        _init_weights`` under a ``ChatGLMPreTrainedModel._init_weights`` that just returns."""
        base = writer.owner
        if base is None or base.home is self.index:
            return False
        derived = self.index.subclasses(base)
        if not derived:
            return False
        for klass in derived:
            method = self.index.method(klass, writer.name)
            if method is None or method is writer or writer.name in method.super_calls:
                return False
        return True

    def _in_uncalled_initializer(self, writer: Function) -> bool:
        """An initializer method (``GPT._init_weights``) its own class's construction never runs."""
        return (
            writer.owner is not None
            and writer.name in self.initializer_methods
            and writer.name not in self.reachable(writer.owner)
        )

    def _writes_values(
        self, write: Write, writer: Function, storage: Storage, binding: cst.BaseExpression | None = None
    ) -> bool:
        """Whether a write puts values into the storage. Binding the storage itself (also
        ``binding``, a factory call's result), or rebinding the name to more uninitialized
        memory (judged on its own), does not."""
        if write.rebinding is None:
            return True
        if write.rebinding is binding:
            return False
        if isinstance(write.rebinding, cst.Name) and write.rebinding.value == "None":
            return False  # self.level_embed = None, the optional-parameter idiom: no values
        if is_empty_container(write.rebinding):
            return False  # self.weights = nn.ParameterList() before the appends
        if any(name in storage.roots for name in names_in(write.rebinding)):
            return False  # self.phi = nn.ParameterList(weights): binds the storage, gives no values
        return not any(
            source.call is storage.source.call or source.kind == Kind.UNINITIALIZED
            for source, _ in self.provenance.sources_of(write.rebinding, writer)
        )


_LOADED_DTYPE = re.compile(r"(?i)\bu?int\d|float8|fp8|fp4|int4|qu?int|\bbool\b")


def _is_load_only(storage: Storage) -> bool:
    """Of a dtype nothing trains, or frozen with a dtype the caller chooses: a container a
    checkpoint fills. A frozen float storage is judged (``Parameter(torch.FloatTensor(n),
    requires_grad=False)`` holds garbage that forward reads, frozen or not)."""
    return _has_loaded_dtype(storage) or (_is_frozen(storage) and _caller_chosen_dtype(storage))


def _is_frozen(storage: Storage) -> bool:
    """Wrapped with ``requires_grad`` anything but ``True``."""
    for call in storage.wrap_calls:
        if method_name(call) in WRAPPING_METHODS:
            continue
        requires_grad = argument(call, 1, "requires_grad")
        if requires_grad is not None and not (isinstance(requires_grad, cst.Name) and requires_grad.value == "True"):
            return True
    return False


def _caller_chosen_dtype(storage: Storage) -> bool:
    """A ``dtype=`` that names no float type (EetqLinear's ``dtype=dtype``, int8 by default)."""
    dtype = argument(storage.source.call, 99, "dtype")
    return dtype is not None and not re.search(r"float(?:16|32|64)?\b|bfloat16|half|double", code_of(dtype))


def _marks_container(storage: Storage) -> bool:
    """A storage that makes its whole class a checkpoint container: quantized, or frozen
    with a dtype chosen by the caller (EetqLinear's ``dtype=dtype``, int8 by default). A
    frozen float table (MAE's sin-cos positions) says nothing about its siblings."""
    return _is_load_only(storage)


def _has_loaded_dtype(storage: Storage) -> bool:
    """Quantized or integer storage: no optimizer trains it, a checkpoint fills it, and so
    its whole class is a container (its float scales and biases come from the same file)."""
    dtype = argument(storage.source.call, 99, "dtype")
    return dtype is not None and bool(_LOADED_DTYPE.search(code_of(dtype)))
