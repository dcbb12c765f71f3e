"""What an ``nn.Module`` registers: the construction of its subclasses, seen from ``self``.

``nn.Module.__setattr__`` registers Parameters, Modules and buffers; everything else —
a tensor that requires grad, a list of layers — stays a plain attribute that
``parameters()``, ``state_dict()`` and ``.to()`` never see. This module finds, for each
``nn.Module`` subclass of a file, the methods its construction runs (``__init__`` and the
``self.*`` methods it calls, transitively) and records what they bind to ``self``.

A class is a module when a base resolves to a ``torch.nn`` layer class (aliases
followed) or to a class of the same file that is one; a class defined elsewhere is never
assumed to be one. Same-file classes are read from the class headers of the whole text,
so the answer does not depend on which blocks the prefilter kept.

A finding must also have its rule's trigger in the text of the method it sits in: the
trigger is what keeps a method on the fast path, so both paths report the same.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from ruff_like_rules.analysis.index import ClassInfo, FileIndex, Function
from ruff_like_rules.syntax.nodes import dotted_parts, is_name, keyword_is_true, method_name, self_attribute
from ruff_like_rules.syntax.walk import Walker
from ruff_like_rules.vocabulary.torch_api import REGISTERING_METHODS, STATELESS_LAYERS, TENSOR_FUNCTIONS, TENSOR_METHODS
from ruff_like_rules.vocabulary.torch_names import is_torch_module_class, legacy_constructor_dtype
from ruff_like_rules.vocabulary.triggers import Triggered

_CLASS_HEADER = re.compile(r"^[ \t]*class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:", re.M)
_BASE_NAME = re.compile(r"[A-Za-z_][\w.]*")
# What makes a class hold state a plain list hides: parameters, buffers, registered
# submodules, behaviour that follows train()/eval()
_STATE = re.compile(r"\bParameter\s*\(|\bBuffer\s*\(|\bregister_(?:buffer|parameter|module)\b|\badd_module\b|\.training\b")
_MADE_ON_SELF = re.compile(r"self\.(\w+)\s*(?::[^=\n]*)?=\s*([A-Za-z_][\w.]*)\s*\(")


def enables_grad(call: cst.Call) -> bool:
    """``x.requires_grad_()``, ``(True)`` or ``(requires_grad=True)``."""
    if method_name(call) != "requires_grad_":
        return False
    if not call.args:
        return True
    value = call.args[0].value
    return len(call.args) == 1 and isinstance(value, cst.Name) and value.value == "True"


@dataclass(eq=False)
class Facts:
    """What one construction method does to ``self`` and its locals, in source order."""

    function: Function
    owner: ClassInfo
    assigns: list[tuple[str, cst.BaseExpression, cst.CSTNode]] = field(default_factory=list)  # (attr, value, statement)
    grad_marks: dict[str, list[cst.CSTNode]] = field(default_factory=dict)  # dotted name -> requires_grad statements
    fills: list[tuple[str, str, cst.BaseExpression]] = field(default_factory=list)  # (attr, how, value or key)
    call_arguments: set[str] = field(default_factory=set)  # dotted names handed to some call
    registered_names: set[str] = field(default_factory=set)  # attributes registered by name
    registered_locals: set[str] = field(default_factory=set)  # locals also bound to self another way


class _FactWalker(Walker):
    def __init__(self, facts: Facts) -> None:
        super().__init__()
        self.facts = facts
        self.self_name = facts.function.self_name
        self.root = facts.function.node

    def enter_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.root  # nested functions run later, if at all

    def enter_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def enter_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def enter_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value, node)

    def enter_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, node)

    def enter_AugAssign(self, node: cst.AugAssign) -> None:
        attribute = self_attribute(node.target, self.self_name)
        if attribute is not None and isinstance(node.operator, cst.AddAssign):
            self.facts.fills.append((attribute, "extend", node.value))

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression, statement: cst.CSTNode) -> None:
        facts = self.facts
        attribute = self_attribute(target, self.self_name)
        if attribute is not None:
            facts.assigns.append((attribute, value, statement))
            if isinstance(value, cst.Name):
                facts.registered_locals.add(value.value)
        elif isinstance(target, cst.Attribute) and target.attr.value == "requires_grad":
            if isinstance(value, cst.Name) and value.value == "True":
                parts = dotted_parts(target.value)
                if parts is not None:
                    facts.grad_marks.setdefault(".".join(parts), []).append(statement)
        elif isinstance(target, cst.Subscript):
            attribute = self_attribute(target.value, self.self_name)
            if attribute is not None and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                facts.fills.append((attribute, "item", value))
                facts.fills.append((attribute, "key", target.slice[0].slice.value))

    def enter_Call(self, node: cst.Call) -> None:
        facts = self.facts
        method = method_name(node)
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        if receiver is not None and enables_grad(node):
            parts = dotted_parts(receiver)
            if parts is not None:
                facts.grad_marks.setdefault(".".join(parts), []).append(node)
        attribute = self_attribute(receiver, self.self_name) if receiver is not None else None
        if attribute is not None and method in ("append", "insert", "extend", "update", "setdefault") and node.args:
            facts.fills.append((attribute, method, node.args[-1].value))
        elif receiver is not None and is_name(receiver, self.self_name) and method in REGISTERING_METHODS:
            self._register(node.args)
        elif isinstance(node.func, cst.Name) and node.func.value == "setattr" and node.args and is_name(node.args[0].value, self.self_name):
            self._register(node.args[1:])
        else:
            for argument in node.args:
                parts = dotted_parts(argument.value)
                if parts is not None:
                    facts.call_arguments.add(".".join(parts))

    def _register(self, args: tuple[cst.Arg, ...] | list[cst.Arg]) -> None:
        if not args:
            return
        name = args[0].value
        if isinstance(name, cst.SimpleString):
            self.facts.registered_names.add(name.raw_value)
        if len(args) > 1 and isinstance(args[1].value, cst.Name):
            self.facts.registered_locals.add(args[1].value.value)
        if len(args) > 1 and isinstance(args[1].value, cst.Subscript):
            # add_module(name, self.heads[-1]): the list's elements are registered one by one
            parts = dotted_parts(args[1].value.value)
            if parts is not None:
                self.facts.call_arguments.add(".".join(parts))


_INHERITED_FACTS: weakref.WeakKeyDictionary[Function, Facts] = weakref.WeakKeyDictionary()
"""Facts of methods of other files' classes: a base's ``__init__`` (``PreTrainedModel``'s) is on
the construction path of every subclass the process checks, and its facts depend on it alone.
Kept while its file's index is (a changed file is indexed, and its methods made, anew)."""


class Registration:
    """The module classes of one file and the facts of their construction methods."""

    def __init__(self, index: FileIndex, text: str, code: Callable[[cst.CSTNode], str]) -> None:
        self.index = index
        self.names = index.names
        self.text = text
        self._code_of = code
        self._same_file_modules: frozenset[str] | None = None
        self._blocks: dict[str, tuple[list[str], str]] | None = None
        self._code: dict[int, str] = {}
        self.construction: list[Facts] = []
        # Every class with methods, also the second ``class M`` of a file (tests nest many).
        owners = {id(f.owner): f.owner for f in index.functions if f.owner is not None}
        self.classes: list[ClassInfo] = list(owners.values())
        seen: set[int] = set()
        for cls in self.classes:
            if not self.is_module(cls):
                continue
            for function in self._construction_path(cls):
                if id(function) not in seen:
                    seen.add(id(function))
                    self.construction.append(self._facts(function, cls))

    # -- classes -------------------------------------------------------------------------

    def is_module(self, cls: ClassInfo) -> bool:
        for klass in self.index.lineage(cls):
            home = klass.home or self.index
            for spelled, node in zip(klass.bases, klass.base_nodes):
                qualified = home.qualify_base(node)
                if is_torch_module_class(qualified):
                    return True
                if qualified is None and home is self.index and spelled in self.same_file_modules():
                    return True
        return False

    def is_project_module(self, qualified: str | None) -> bool:
        """An imported class that another file of the project defines as an ``nn.Module``."""
        if qualified is None or self.index.foreign is None or qualified.startswith("torch."):
            return False
        found = self.index.foreign.resolve(qualified)
        return found is not None and self.is_module(found)

    def same_file_modules(self) -> frozenset[str]:
        """Classes of the file that derive from a torch module class (or a module class of another
        project file), read from the whole text."""
        if self._same_file_modules is None:
            self._same_file_modules = frozenset()  # a project base that is this very file's class asks again
            headers: dict[str, list[str]] = {}
            for match in _CLASS_HEADER.finditer(self.text):
                headers.setdefault(match.group(1), []).extend(_BASE_NAME.findall(match.group(2) or ""))
            found: set[str] = set()
            changed = True
            while changed:
                changed = False
                for name, bases in headers.items():
                    if name not in found and any(b in found or self._module_base(b) for b in bases):
                        found.add(name)
                        changed = True
            self._same_file_modules = frozenset(found)
        return self._same_file_modules

    def stateless_module(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """A module class of this file that holds nothing a plain list would hide: no
        parameter, buffer or registered submodule, no state-holding layer (a torch layer
        other than activations, pooling and reshaping; a class of the file that holds some;
        an unknown class its ``forward`` does not move with ``.to(...)``), and no behaviour
        that depends on ``self.training``. Its bases are ``nn.Module`` or such classes.
        Read from the whole text, as ``same_file_modules`` is, so both paths agree."""
        blocks = self._class_blocks()
        if name not in blocks or name in seen:
            return False
        bases, block = blocks[name]
        if _STATE.search(block):
            return False
        for base in bases:
            if self._qualify_text(base) != "torch.nn.Module" and not self.stateless_module(base, seen | {name}):
                return False
        for attribute, callee in _MADE_ON_SELF.findall(block):
            qualified = self._qualify_text(callee)
            short = callee.rsplit(".", 1)[-1]
            if is_torch_module_class(qualified):
                if not STATELESS_LAYERS.fullmatch(short):
                    return False
            elif callee in blocks:
                if callee in self.same_file_modules() and not self.stateless_module(callee, seen | {name}):
                    return False
            elif short[:1].isupper() and f"self.{attribute}.to(" not in block:
                return False  # self.resampler = torchaudio.transforms.Resample(...) moved in forward: fine
        return True

    def _class_blocks(self) -> dict[str, tuple[list[str], str]]:
        """Each top-level-or-nested class of the text: its base spellings and its source."""
        if self._blocks is None:
            self._blocks = {}
            for match in _CLASS_HEADER.finditer(self.text):
                indent = len(match.group(0)) - len(match.group(0).lstrip(" \t"))
                end = re.compile(r"^[ \t]{0,%d}\S" % indent, re.M).search(self.text, match.end())
                block = self.text[match.end() : end.start() if end else len(self.text)]
                self._blocks.setdefault(match.group(1), (_BASE_NAME.findall(match.group(2) or ""), block))
        return self._blocks

    def _module_base(self, spelled: str) -> bool:
        """A base spelling that names a torch module class, or one another project file defines."""
        qualified = self._qualify_text(spelled)
        return is_torch_module_class(qualified) or self.is_project_module(qualified)

    def _qualify_text(self, dotted: str) -> str | None:
        parts = dotted.split(".")
        node: cst.BaseExpression = cst.Name(parts[0])
        for part in parts[1:]:
            node = cst.Attribute(node, cst.Name(part))
        return self.names.qualify(node)

    def _construction_path(self, cls: ClassInfo) -> Iterator[Function]:
        pending = ["__init__"]
        seen: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            function = self.index.method(cls, name)
            if function is not None:
                yield function
                pending.extend(function.self_calls)

    def _facts(self, function: Function, cls: ClassInfo) -> Facts:
        inherited = function.owner is not None and function.owner.home is not self.index
        if inherited and function in _INHERITED_FACTS:
            return _INHERITED_FACTS[function]
        facts = Facts(function, function.owner or cls)
        walker = _FactWalker(facts)
        for body in function.bodies:
            walker.walk(body)
        if inherited:
            _INHERITED_FACTS[function] = facts
        return facts

    def construction_of(self, cls: ClassInfo) -> list[Facts]:
        return [facts for facts in self.construction if facts.owner is cls]

    # -- values --------------------------------------------------------------------------

    def is_tensor(self, expr: cst.BaseExpression, function: Function, seen: frozenset[str] = frozenset()) -> bool:
        """Whether ``expr`` is clearly a plain tensor made by torch (not a Parameter)."""
        names = self.names
        if isinstance(expr, cst.Call):
            method = method_name(expr)
            if method is not None and names.qualify(expr.func.value) is None:  # type: ignore[union-attr]
                if method.startswith("new_"):
                    return True
                return method in TENSOR_METHODS and self.is_tensor(expr.func.value, function, seen)  # type: ignore[union-attr]
            qualified = names.qualify_torch(expr.func)
            if qualified is None:
                return False
            short = qualified.rsplit(".", 1)[-1]
            return (
                qualified in (f"torch.{short}", "torch.autograd.Variable")
                and (short in TENSOR_FUNCTIONS or short.endswith(("_like", "_window")) or short == "Variable")
            ) or legacy_constructor_dtype(qualified) is not None
        if isinstance(expr, cst.BinaryOperation):
            return self.is_tensor(expr.left, function, seen) or self.is_tensor(expr.right, function, seen)
        if isinstance(expr, cst.Subscript):
            return self.is_tensor(expr.value, function, seen)
        if isinstance(expr, cst.Name) and expr.value not in seen:
            values = function.local_defs.get(expr.value, ())
            return bool(values) and all(self.is_tensor(v, function, seen | {expr.value}) for v in values)
        return False

    def requires_grad(self, expr: cst.BaseExpression, facts: Facts, seen: frozenset[str] = frozenset()) -> bool:
        """Whether ``expr`` is a plain tensor that requires grad: ``requires_grad=True`` at
        its creation, ``.requires_grad_()`` on it, or a local made so."""
        function = facts.function
        if isinstance(expr, cst.Call):
            method = method_name(expr)
            if self.names.is_parameter_class(expr.func) or self.names.is_buffer_class(expr.func):
                return False
            if enables_grad(expr):
                return self.is_tensor(expr.func.value, function, seen)  # type: ignore[union-attr]
            if keyword_is_true(expr, "requires_grad"):
                return self.is_tensor(expr.with_changes(args=()), function, seen) or bool(method and method.startswith("new_"))
            if method in TENSOR_METHODS and method not in ("detach",):
                return self.requires_grad(expr.func.value, facts, seen)  # type: ignore[union-attr]
            return False
        if isinstance(expr, cst.Name) and expr.value not in seen:
            if expr.value in facts.grad_marks and self.is_tensor(expr, function, seen):
                return True
            return any(self.requires_grad(v, facts, seen | {expr.value}) for v in function.local_defs.get(expr.value, ()))
        return False

    def registered_attributes(self, cls: ClassInfo) -> set[str]:
        """Attributes registered by name (``register_buffer("x", …)``, ``add_module``…) in construction."""
        return {name for facts in self.construction_of(cls) for name in facts.registered_names}

    # -- reporting -----------------------------------------------------------------------

    def concerns(self, rule: Triggered, function: Function) -> bool:
        """The rule's trigger occurs in the method: what the fast path keeps."""
        if function.node is None:
            return False
        code = self._code.get(id(function))
        if code is None:
            code = self._code[id(function)] = self._code_of(function.node)
        return rule.trigger.search(code) is not None and (rule.trigger_with is None or rule.trigger_with.search(code) is not None)

    def spelling(self, qualified: str) -> str | None:
        """How the file can spell a ``torch.nn`` class: its own name, ``nn.X`` or ``torch.nn.X``."""
        short = qualified.rsplit(".", 1)[-1]
        torch = self.names.torch_module_spelling()
        for candidate in (short, f"nn.{short}", f"{torch}.nn.{short}" if torch else None):
            if candidate is not None and self._qualify_text(candidate) == qualified:
                return candidate
        return None
