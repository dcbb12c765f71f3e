"""The one walk that builds a file's index (``analysis.index``).

It visits the parsed chunks in source order and records, per function: what names are bound
to, loop aliases, wraps (``nn.Parameter(...)``, ``register_buffer``), attachments to
attributes and containers, writes with the branch (``if`` arm) and ``isinstance`` guards they
sit under, calls of same-file helpers, of methods on ``self`` (with their order) and of
legacy constructors, and returned values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import libcst as cst

from ruff_like_rules.analysis.index import ALL, DYNAMIC, ClassInfo, FileIndex, Function, Write
from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.analysis.writes import is_init_function, iteration_aliases, roots
from ruff_like_rules.syntax.nodes import argument, code_of, dotted_parts, is_name, names_in
from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.syntax.walk import Walker
from ruff_like_rules.vocabulary.torch_api import (
    APPLY,
    LEGACY_METHODS,
    LOAD_STATE_DICT,
    MODULE_CONTAINER_CLASSES,
    PARAMETER_ITERATORS,
    WRAPPING_METHODS,
    WRITER_METHODS,
)
from ruff_like_rules.vocabulary.torch_names import TorchNames, legacy_constructor_dtype


def index_file(chunks: list[ParsedChunk], names: TorchNames, options: AnalysisOptions) -> FileIndex:
    """The index of the file these chunks hold: one walk over each, in order."""
    collector = Collector(names, options)
    for chunk in chunks:
        collector.chunk = chunk
        collector.module_function.bodies.append(chunk.module)
        collector.walk(chunk.module)
    return FileIndex(
        chunks,
        names,
        collector.functions,
        collector.classes,
        collector.module_functions,
        collector.instance_calls,
        collector.chunk_by_node,
        collector.call_order,
        call_branches=collector.call_branches,
    )


class Collector(Walker):
    """One pass over the chunks that records, per function, what the analysis needs."""

    def __init__(self, names: TorchNames, options: AnalysisOptions) -> None:
        super().__init__()
        self.names = names
        self.init_functions = options.init_functions
        self.module_function = module_function = Function(None, None, None)
        self.functions: list[Function] = [module_function]
        self.chunk: ParsedChunk | None = None
        self.chunk_by_node: dict[int, ParsedChunk] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.module_functions: dict[str, Function] = {}
        self._functions: list[Function] = [module_function]
        self._classes: list[ClassInfo | None] = [None]  # None inside a function body
        self._branch: list[str] = []
        self._guards: list[dict[str, frozenset[str]]] = [{}]
        self._leaf_guarded: list[frozenset[str]] = [frozenset()]  # variables guarded by torch.nn leaf classes only
        self._loop_guards: dict[int, dict[str, frozenset[str]]] = {}  # id(function) -> loop variable -> guard
        self._if_numbers: dict[int, int] = {}
        self._multi_dim: list[set[str]] = [set()]  # variables an enclosing if requires to be >= 2-D
        self.instance_calls: set[str] = set()  # methods called on something other than self
        self.call_order: dict[int, int] = {}  # id of every call -> its index in file order
        self.call_branches: dict[int, tuple[str, ...]] = {}  # id of every call inside an if -> its arms

    @property
    def _function(self) -> Function:
        return self._functions[-1]

    # scopes
    def enter_ClassDef(self, node: cst.ClassDef) -> None:
        base_nodes = [arg.value for arg in node.bases if arg.keyword is None]
        spelled = [".".join(dotted_parts(base) or []) for base in base_nodes]
        info = ClassInfo(node.name.value, node, spelled, base_nodes)
        self.chunk_by_node[id(node.name)] = self.chunk  # type: ignore[assignment]
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
        else:
            function.outer = self._function
            self._function.nested.setdefault(node.name.value, function)
        self._functions.append(function)
        self._classes.append(None)
        self._guards.append({})
        self._leaf_guarded.append(frozenset())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._classes.pop()
        self._guards.pop()
        self._leaf_guarded.pop()

    # branches and guards
    def enter_If(self, node: cst.If) -> bool:
        """Walk the arms with their branch marks and the body with its isinstance guards."""
        number = self._if_numbers[id(node)] = len(self._if_numbers)
        self.walk(node.test)
        self._branch.append(f"if{number}:body")
        self._guards.append({**self._guards[-1], **_isinstance_guards(node.test, _bare_name)})
        qualified = _isinstance_guards(node.test, lambda value: self.names.qualify(value) or "?")
        leaf = {name for name, classes in qualified.items() if all(map(_is_torch_leaf_module, classes))}
        self._leaf_guarded.append((self._leaf_guarded[-1] - qualified.keys()) | leaf)
        test = code_of(node.test)
        guarded = {name for pair in _MULTI_DIM_TEST.findall(test) for name in pair if name}
        self._multi_dim.append(self._multi_dim[-1] | guarded)
        self.walk(node.body)
        self._multi_dim.pop()
        self._leaf_guarded.pop()
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
        aliases = iteration_aliases(node.iter, self._function)
        target = node.target
        if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
            target = target.elements[-1].value  # for name, p in named_parameters()
        if aliases and isinstance(target, cst.Name):
            self._function.loop_aliases.setdefault(target.value, []).extend(aliases)
            loop_guards = self._loop_guards.setdefault(id(self._function), {})
            guard = self._parameter_loop_guard(node.iter)
            if guard is None:
                loop_guards.pop(target.value, None)
            else:
                loop_guards[target.value] = guard

    def _parameter_loop_guard(self, iterable: cst.BaseExpression) -> frozenset[str] | None:
        """The isinstance guard a loop over ``m.parameters()`` of a guarded ``m`` carries to
        what it binds: only the guarded classes' parameters are written. A loop that recurses
        into submodules also writes theirs, so it carries the guard only when it does not
        recurse (``recurse=False``) or the classes are torch's own leaf modules (``nn.LSTM``
        in Hugging Face's ``_init_weights``), which hold no module of the project."""
        if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute)):
            return None
        owner = iterable.func.value
        if iterable.func.attr.value not in PARAMETER_ITERATORS or not isinstance(owner, cst.Name):
            return None
        guard = self._guards[-1].get(owner.value)
        method = iterable.func.attr.value
        recurse = argument(iterable, 1 if method.startswith("named_") else 0, "recurse")  # named_*(prefix, recurse)
        if guard is None or not (owner.value in self._leaf_guarded[-1] or is_name(recurse, "False")):
            return None
        return guard

    def _guard_of(self, variable: str) -> frozenset[str] | None:
        """The isinstance guard on ``variable`` here: its own, or its parameter loop's."""
        guard = self._guards[-1].get(variable)
        if guard is None:
            guard = self._loop_guards.get(id(self._function), {}).get(variable)
        return guard

    def _guards_here(self) -> dict[str, frozenset[str]]:
        """Every guard in force here, for a helper handed a guarded variable."""
        return {**self._loop_guards.get(id(self._function), {}), **self._guards[-1]}

    def _pair_tuple_targets(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> bool:
        """``for w, b in ((self.w1, self.b1), (self.w2, self.b2))``: element i of the target
        stands for element i of each row (``zip(ws, bs)`` likewise)."""
        if not isinstance(target, (cst.Tuple, cst.List)):
            return False
        if isinstance(iterable, cst.Call) and is_name(iterable.func, "zip"):
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
                    aliases = iteration_aliases(value, function) if isinstance(iterable, cst.Call) else [
                        root for root, _ in roots(value, function)
                    ]
                    function.loop_aliases.setdefault(element.value.value, []).extend(aliases)
        return True

    # calls
    def enter_Call(self, node: cst.Call) -> None:
        function = self._function
        names = self.names
        branch = tuple(self._branch)
        func = node.func
        self.chunk_by_node[id(node)] = self.chunk  # type: ignore[assignment]
        self.call_order[id(node)] = len(self.call_order)
        if branch:
            self.call_branches[id(node)] = branch
        if names.is_parameter_class(func):
            function.wraps.append((node, "parameter", branch))
        elif names.is_buffer_class(func):
            function.wraps.append((node, "buffer", branch))
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Attribute) and method in WRAPPING_METHODS and len(node.args) >= 2:
            function.wraps.append((node, "register", branch))
            # a registration replaces the attribute: a later register_buffer(name, value) gives it values
            self._attach_named(func.value, node.args[0].value, node.args[1].value, rebinding=True)
        elif isinstance(func, cst.Name) and func.value == "setattr" and len(node.args) >= 3:
            self._attach_named(node.args[0].value, node.args[1].value, node.args[2].value, rebinding=True)
        elif isinstance(func, cst.Attribute) and method in ("append", "extend", "insert", "add_module") and node.args:
            owner = dotted_parts(func.value)
            if owner is not None:
                function.attachments.append((".".join(owner), node.args[-1].value, branch))
        if isinstance(func, cst.Attribute) and method in WRITER_METHODS and not self._copies_parameters(func.value, node):
            self._write(func.value)
        if isinstance(func, cst.Attribute) and method == LOAD_STATE_DICT:
            owner = dotted_parts(func.value)  # a checkpoint overwrites every parameter and buffer
            if owner is not None:
                function.writes.append(Write(f"{ALL}:{'.'.join(owner)}", branch, None))
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "out":
                self._write(arg.value)
        parts = dotted_parts(func)
        qualified = names.qualify(func)
        if (qualified and legacy_constructor_dtype(qualified)) or (method in LEGACY_METHODS and names.qualify(func.value) is None):  # type: ignore[union-attr]
            function.legacy_calls.append(node)
        if is_init_function(func, parts, qualified, names, self.init_functions, function):
            if (qualified or "").startswith("torch.nn.init."):
                targets = [argument(node, 0, "tensor")]
            else:  # helpers differ in where the tensor goes: PyG's uniform(size, tensor)
                targets = [a.value for a in node.args if a.keyword is None] or [argument(node, 0, "tensor")]
            for target in targets:
                if target is not None:
                    self._write(target)
        elif parts is not None and qualified is None:
            function.helper_calls.append((".".join(parts), node, branch, self._guards_here()))
        self._note_construction_call(node, method, parts)

    def _copies_parameters(self, target: cst.BaseExpression, call: cst.Call) -> bool:
        """``target_param.data.copy_(tau * param.data + ...)``: parameters copied into other
        parameters (a soft update) get no new values. (Copying them into a fresh tensor,
        an EMA's shadow, does initialize that tensor.)"""
        aliases = self._function.loop_aliases

        def from_parameter_loop(names: list[str]) -> bool:
            return any(alias.startswith(ALL) for name in names for alias in aliases.get(name, ()))

        return from_parameter_loop(names_in(target)) and from_parameter_loop(
            [n for a in call.args for n in names_in(a.value)]
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
            self._function.writes.append(Write(root, tuple(self._branch), None, rebinding=value))

    def _note_construction_call(self, node: cst.Call, method: str | None, parts: list[str] | None) -> None:
        """Record what construction may run: self methods, super() methods, opaque calls."""
        function = self._function
        func = node.func
        if isinstance(func, cst.Attribute) and method is not None:
            receiver = func.value
            if is_name(receiver, function.self_name):
                at = self.call_order[id(node)]
                function.self_calls[method] = at
                if method == APPLY:
                    for arg in node.args:
                        callback = dotted_parts(arg.value)
                        if callback and len(callback) == 2 and callback[0] == function.self_name:
                            function.self_calls[callback[1]] = at
            elif isinstance(receiver, cst.Call) and is_name(receiver.func, "super"):
                function.super_calls.add(method)
            elif isinstance(receiver, cst.Name) and node.args and is_name(node.args[0].value, function.self_name):
                function.super_calls.add(method)  # Base.__init__(self, ...)
            else:
                self.instance_calls.add(method)
        if (
            parts is not None
            and len(parts) == 1
            and parts[0] not in _INERT_BUILTINS
            and any(is_name(a.value, function.self_name) for a in node.args)
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
        for root, head in roots(target, function):
            multi_dim_only = head in self._multi_dim[-1]
            function.writes.append(Write(root, branch, self._guard_of(head), rebinding, multi_dim_only))
            if attach is not None:
                function.attachments.append((root, attach, branch))


_MULTI_DIM_TEST = re.compile(r"(\w+)\.(?:dim\(\)|ndim|ndimension\(\))\s*(?:>\s*1|>=\s*2)|len\(\s*(\w+)\.(?:shape|size\(\))\s*\)\s*(?:>\s*1|>=\s*2)")
_INERT_BUILTINS = frozenset({"isinstance", "hasattr", "getattr", "setattr", "type", "id", "print", "len", "super", "repr", "str"})


def _decorator_name(decorator: cst.Decorator) -> str:
    parts = dotted_parts(decorator.decorator)
    return parts[-1] if parts else ""


def _bare_name(value: cst.BaseExpression) -> str | None:
    parts = dotted_parts(value)
    return parts[-1] if parts else None


def _is_torch_leaf_module(qualified: str) -> bool:
    return qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1] not in MODULE_CONTAINER_CLASSES


def _isinstance_guards(
    test: cst.BaseExpression, spell: Callable[[cst.BaseExpression], str | None]
) -> dict[str, frozenset[str]]:
    """Variables the test admits only as instances of the named classes, each class as
    ``spell`` names it (one it cannot name is left out). Under ``A or B`` a variable is guarded only
    when both sides guard it: ``isinstance(m, nn.GroupNorm) or "RMSNorm" in
    type(m).__name__`` admits any class."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        left, right = _isinstance_guards(test.left, spell), _isinstance_guards(test.right, spell)
        return {name: left[name] | right[name] for name in left.keys() & right.keys()}
    guards: dict[str, frozenset[str]] = {}
    for call in _calls_in_test(test):
        if not (isinstance(call.func, cst.Name) and call.func.value == "isinstance" and len(call.args) == 2):
            continue
        variable = call.args[0].value
        if not isinstance(variable, cst.Name):
            continue
        names = set()
        for value in _union_members(call.args[1].value):
            name = spell(value)
            if name:
                names.add(name)
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
