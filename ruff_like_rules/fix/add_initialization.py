"""Synthesis of the initialization a module is missing (the unsafe fixes of PIN001, PIN003).

The fixes write what the code base would have written, in its own spelling:

* PIN003 — the initializer exists but construction never runs it: call it at the end of
  ``__init__`` (``self.apply(self._init_weights)`` for an initializer that takes a module).
* PIN001 — nothing initializes the storage: add the lines to the class's initializer (and
  call it at the end of ``__init__``, unless ``__init__`` already calls it after creating
  the storages: called before, it would touch attributes not yet set), or create ``reset_parameters()`` after ``__init__``
  and call it at the end of ``__init__``. Each storage is initialized as ``nn.Linear``
  does: ``kaiming_uniform_(w, a=math.sqrt(5))`` for weights of two or more dimensions; a
  bias draws from ``uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with ``fan_in`` of its
  sibling weight (``bias`` -> ``weight``, ``bias_ih`` -> ``weight_ih``), or starts at zero
  without one. Other one-dimensional parameters are scales and start at one (as norm layers'
  weights do); where the number of dimensions is not written down, the line checks
  ``dim()`` at run time. Buffers hold state, not weights: they start at zero.

``torch.nn.init`` and ``math`` are spelled through the file's own imports (``init``,
``nn.init``, ``th.nn.init``); ``import math`` is added before the first import when
missing. Every fix is a set of libcst statements inserted at line starts, rendered with the
indentation of the code around them and the file's line ending: nothing else in the file
moves. A class whose base
comes from elsewhere (it may define ``reset_parameters`` itself), or whose base in this
file defines the method, gets no fix: an override would silently skip the base's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ruff_like_rules.analysis.index import DYNAMIC, ClassInfo, Function
from ruff_like_rules.analysis.shapes import dimensions
from ruff_like_rules.analysis.storages import Storage
from ruff_like_rules.analysis.verdicts import Kind, Verdict
from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.diagnostics import Applicability, Edit, Fix, Position
from ruff_like_rules.syntax.lines import LINE_BREAK, split_lines

NEW_INITIALIZER = "reset_parameters"
_BIAS = re.compile(r"(?i)bias|beta|shift|offset")
_INDENT = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class _Block:
    """Where to add statements at the end of a function body, and how to indent them."""

    at: Position
    indent: str  # of the body's statements
    outer: str  # of the ``def`` line


class _Writer:
    """Text facts of one file the synthesized code must match."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.lines = LINE_BREAK.split(ctx.text)  # line breaks as Python counts them
        newline = LINE_BREAK.search(ctx.text)
        self.newline = newline.group() if newline else "\n"

    def indentation(self, line: int) -> str:
        return _INDENT.match(self.lines[line - 1]).group() if line <= len(self.lines) else ""  # type: ignore[union-attr]

    def end_of(self, function: Function) -> _Block | None:
        """The line after the body's last statement; None for one-line bodies and bodies
        that end in ``return`` (code after it would never run)."""
        node = function.node
        if node is None or not isinstance(node.body, cst.IndentedBlock):
            return None
        last = node.body.body[-1]
        if isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, cst.Return) for s in last.body):
            return None
        first_line = self.ctx.span(node.body.body[0])[0].line
        end = self.ctx.span(last)[1]
        return _Block(
            Position(end.line + 1, 0), self.indentation(first_line), self.indentation(self.ctx.span(node.name)[0].line)
        )

    def statements(self, nodes: list[cst.BaseStatement], indent: str, step: str) -> str:
        """Nodes as code at ``indent``, nested blocks indented by ``step``, with the file's
        line ending."""
        code = cst.Module(body=nodes, default_indent=step, default_newline=self.newline).code
        return "".join(indent + line if line.strip() else line for line in split_lines(code, keepends=True))

    def import_math(self) -> Edit | None:
        """``import math`` before the file's first import (after ``from __future__``)."""
        for chunk in self.ctx.chunks:
            for statement in chunk.module.body:
                if not isinstance(statement, cst.SimpleStatementLine):
                    continue
                first = statement.body[0]
                if isinstance(first, cst.Import) or (
                    isinstance(first, cst.ImportFrom)
                    and not (isinstance(first.module, cst.Name) and first.module.value == "__future__")
                ):
                    line = self.ctx.span(statement)[0].line
                    return Edit(Position(line, 0), Position(line, 0), f"import math{self.newline}")
        return None


def _insertion(block: _Block, content: str) -> Edit:
    return Edit(block.at, block.at, content)


def _initializer_call(flow_method: Function, self_name: str) -> cst.BaseStatement:
    """How ``__init__`` runs an initializer: directly, or through ``apply`` when it takes a module."""
    name = flow_method.name
    if len(flow_method.params) >= 2:
        return cst.parse_statement(f"{self_name}.apply({self_name}.{name})")
    return cst.parse_statement(f"{self_name}.{name}()")


def _step(block: _Block) -> str:
    return block.indent[len(block.outer) :] or "    "


def initializer_call(ctx: FileContext, storage: Storage) -> Fix | None:
    """PIN003's fix: call the existing initializer at the end of ``__init__``."""
    owner = storage.owner
    if owner is None or storage.initializer is None or "__init__" not in owner.methods:
        return None
    initializer = ctx.index.method(owner, storage.initializer)
    init = owner.methods["__init__"]
    writer = _Writer(ctx)
    block = writer.end_of(init)
    if initializer is None or block is None or init.self_name is None or len(initializer.params) > 2:
        return None
    call = _initializer_call(initializer, init.self_name)
    return Fix(
        f"Call `{cst.Module([]).code_for_node(call).strip()}` at the end of `__init__`",
        (_insertion(block, writer.statements([call], block.indent, _step(block))),),
        Applicability.UNSAFE,
    )


def missing_initialization(ctx: FileContext, storage: Storage) -> Fix | None:
    """PIN001's fix: initialize every flagged storage of the class, in its initializer."""
    owner = storage.owner
    if owner is None or "__init__" not in owner.methods or ctx.index.has_opaque_base(owner):
        return None
    flagged = _flagged(ctx, owner)
    if not any(s is storage for s, _ in flagged):
        return None
    writer = _Writer(ctx)
    init = owner.methods["__init__"]
    init_block = writer.end_of(init)
    initializer = _own_initializer(ctx, owner)
    if init_block is None or init.self_name is None:
        return None
    if initializer is None and any(ctx.index.method(k, NEW_INITIALIZER) for k in ctx.index.lineage(owner)):
        return None  # a reset_parameters we cannot add to, which a new one would override
    init_spelling = ctx.names.spelling_of("torch.nn.init")
    math = ctx.names.spelling_of("math") or "math"
    if init_spelling is None:
        return None
    target = initializer if initializer is not None else init
    self_name = target.self_name or init.self_name
    step = _step(init_block)
    lines = [
        line
        for flagged_storage, key in flagged
        for line in _initialization(
            flagged_storage, f"{self_name}.{key}", _sibling_weight(ctx, owner, key), init_spelling, math
        )
    ]
    uses_math = any(f"{math}." in cst.Module([]).code_for_node(line) for line in lines)
    edits: list[Edit] = []
    if initializer is not None:
        block = writer.end_of(initializer)
        if block is None:
            return None
        edits.append(_insertion(block, writer.statements(lines, block.indent, step)))
        if not _called_after(ctx, init, initializer.name, [s for s, _ in flagged]):
            call = _initializer_call(initializer, init.self_name)
            edits.append(_insertion(init_block, writer.statements([call], init_block.indent, step)))
        where = f"`{initializer.name}()`"
    else:
        method = cst.parse_statement(f"def {NEW_INITIALIZER}({init.self_name}):\n    pass\n")
        assert isinstance(method, cst.FunctionDef) and isinstance(method.body, cst.IndentedBlock)
        method = method.with_changes(body=method.body.with_changes(body=lines), leading_lines=[cst.EmptyLine()])
        call = cst.parse_statement(f"{init.self_name}.{NEW_INITIALIZER}()")
        content = writer.statements([call], init_block.indent, step)
        content += writer.statements([method], init_block.outer, step)
        edits.append(_insertion(init_block, content))
        where = f"a new `{NEW_INITIALIZER}()` called by `__init__`"
    if uses_math and ctx.names.spelling_of("math") is None:
        import_edit = writer.import_math()
        if import_edit is None:
            return None
        edits.append(import_edit)
    names = ", ".join(f"`{self_name}.{key}`" for _, key in flagged)
    return Fix(f"Initialize {names} in {where}", tuple(sorted(edits, key=lambda e: e.start)), Applicability.UNSAFE)


def _flagged(ctx: FileContext, owner: ClassInfo) -> list[tuple[Storage, str]]:
    """The class's PIN001 storages bound to a ``self`` attribute, in source order, with it."""
    found = []
    for storage in ctx.flow.storages:
        if storage.owner is not owner or storage.source.kind != Kind.UNINITIALIZED:
            continue
        if storage.verdict != Verdict.UNINITIALIZED:
            continue
        keys = sorted(storage.attribute_keys() - {DYNAMIC})
        if keys:
            found.append((ctx.span(storage.source.call)[0], storage, keys[0]))
    return [(storage, key) for _, storage, key in sorted(found, key=lambda item: item[0])]


def _called_after(ctx: FileContext, init: Function, name: str, storages: list[Storage]) -> bool:
    """Whether ``__init__`` itself calls ``self.<name>()`` after creating the storages it
    creates: an initializer called before them would read attributes that do not exist yet."""
    assert init.node is not None and isinstance(init.node.body, cst.IndentedBlock)
    created = [ctx.span(s.source.call)[0].line for s in storages if s.function is init]
    for statement in reversed(init.node.body.body):
        if not isinstance(statement, cst.SimpleStatementLine) or not isinstance(statement.body[0], cst.Expr):
            continue
        call = statement.body[0].value
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and call.func.value.value == init.self_name
            and call.func.attr.value == name
        ):
            return ctx.span(statement)[0].line > max(created, default=0)
    return False


def _own_initializer(ctx: FileContext, owner: ClassInfo) -> Function | None:
    """The class's own initializer that takes only ``self``, one construction runs first."""
    candidates = [
        f for name, f in owner.methods.items() if name in ctx.options.initializer_methods and len(f.params) == 1
    ]
    reachable = ctx.flow.reachable(owner)
    candidates.sort(key=lambda f: f.name not in reachable)
    return candidates[0] if candidates else None


def _sibling_weight(ctx: FileContext, owner: ClassInfo, key: str) -> str | None:
    """``weight`` for ``bias``, ``weight_ih`` for ``bias_ih``: the storage whose fan-in a bias uses."""
    if not _BIAS.search(key) or "bias" not in key:
        return None
    wanted = key.replace("bias", "weight")
    for storage in ctx.flow.storages:
        if storage.owner is owner and wanted in storage.attribute_keys():
            made = dimensions(storage.source.call)
            if made is None or made >= 2:
                return wanted
    return None


def _initialization(
    storage: Storage, target: str, sibling: str | None, init: str, math: str
) -> list[cst.BaseStatement]:
    """The statements that initialize one storage, as ``nn.Linear`` would (see the module doc)."""
    return [cst.parse_statement(code) for code in _initialization_code(storage, target, sibling, init, math)]


def _initialization_code(storage: Storage, target: str, sibling: str | None, init: str, math: str) -> list[str]:
    if storage.wrapper == "buffer":
        return [f"{init}.zeros_({target})"]
    self_name = target.split(".")[0]
    if sibling is not None:
        return [
            f"fan_in, _ = {init}._calculate_fan_in_and_fan_out({self_name}.{sibling})",
            f"bound = 1 / {math}.sqrt(fan_in) if fan_in > 0 else 0",
            f"{init}.uniform_({target}, -bound, bound)",
        ]
    key = target.split(".", 1)[1]
    if _BIAS.search(key):
        return [f"{init}.zeros_({target})"]
    weight = f"{init}.kaiming_uniform_({target}, a={math}.sqrt(5))"
    made = dimensions(storage.source.call)
    if made is not None and made >= 2:
        return [weight]
    if made is not None:
        return [f"{init}.ones_({target})"]
    return [f"if {target}.dim() > 1:\n    {weight}\nelse:\n    {init}.ones_({target})\n"]


def statements_at_end(ctx: FileContext, function: Function, code: str, message: str) -> Fix | None:
    """An unsafe fix that appends ``code`` (statements, 4-space nested) to ``function``'s body
    (PIN007: repeat a value ``__init__`` gives into the initializer that misses it)."""
    writer = _Writer(ctx)
    block = writer.end_of(function)
    if block is None:
        return None
    nodes = list(cst.parse_module(code).body)
    return Fix(message, (_insertion(block, writer.statements(nodes, block.indent, _step(block))),), Applicability.UNSAFE)
