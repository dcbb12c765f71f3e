"""Which classes a project builds on the meta device, and which classes those builds reach.

A *meta build* is a call that constructs a module where its tensors get no storage, so that a
later ``to_empty()`` leaves them raw: any call inside ``with torch.device("meta"):`` or
``with init_empty_weights():`` (or another ``with`` whose context names ``"meta"``), a call
given ``device="meta"``, and the construction ``to_empty()`` is later called on
(``Model(...).to_empty()``, ``model = Model(...)`` ... ``model.to_empty()`` in the same scope).
The class a build names is the called name's last part (``models.GPT(...)`` builds ``GPT``;
``GPT.from_config(...)`` and ``.from_pretrained(...)`` build ``GPT``). A build through a
variable (``factory(*args)``, ``cls(config)``) names no class. Read with ``ast``, per file.

Within a checked file, the classes reached are those built by name, their bases, and every
class of the file their construction (``__init__`` and the methods it calls on ``self``)
calls, again and again: ``GPT.__init__`` builds ``Block``, which builds ``Attention``.
"""

from __future__ import annotations

import ast

_FACTORIES = frozenset({"from_config", "_from_config", "from_pretrained"})
_EMPTY_CONTEXTS = frozenset({"init_empty_weights", "init_on_device"})


def classes_built_on_meta(text: str) -> frozenset[str]:
    """The class names a file's meta builds construct (unparsable text: none)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_meta_context(i.context_expr) for i in node.items):
            found.update(_built(call) for statement in node.body for call in _calls(statement))
        elif isinstance(node, ast.Call) and any(k.arg == "device" and _is_meta(k.value) for k in node.keywords):
            found.add(_built(node))
        elif isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
            found.update(_emptied(node))
    found.discard("")
    return frozenset(found)


def _calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def _is_meta(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == "meta"


def _meta_context(node: ast.AST) -> bool:
    return any(_is_meta(n) for n in ast.walk(node)) or any(
        _called_name(call.func) in _EMPTY_CONTEXTS for call in _calls(node)
    )


def _called_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _built(call: ast.Call) -> str:
    """The class a construction names; "" for a lower-case name (a function, a variable)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _FACTORIES:
        func = func.value
    name = _called_name(func)
    return name if name[:1].isupper() else ""


def _emptied(scope: ast.AST) -> set[str]:
    """Classes of constructions ``to_empty()`` is called on, in one scope (nested defs aside)."""
    bound: dict[str, set[str]] = {}
    emptied: list[ast.AST] = []
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, set()).add(_built(node.value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "to_empty":
            emptied.append(node.func.value)
        pending.extend(ast.iter_child_nodes(node))
    found: set[str] = set()
    for receiver in emptied:
        if isinstance(receiver, ast.Call):
            found.add(_built(receiver))
        elif isinstance(receiver, ast.Name):
            found |= bound.get(receiver.id, set())
    return found


def reached_on_meta(text: str, built: frozenset[str]) -> frozenset[str]:
    """The names of the file's classes a meta build reaches: built by name, a base of one, or
    built by one's construction. Read from the whole text with ``ast`` (the engine's index
    holds only the chunks a rule's trigger matched)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset()
    classes: dict[str, ast.ClassDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            classes.setdefault(node.name, node)
    reached: set[str] = set()
    pending = [name for name in built if name in classes]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        klass = classes[name]
        related = {_called_name(base) for base in klass.bases} | _constructed(klass)
        pending.extend(other for other in related if other in classes)
    return frozenset(reached)


def _constructed(klass: ast.ClassDef) -> set[str]:
    """Names called anywhere in the class's construction: ``__init__`` and the methods it calls on ``self``."""
    methods = {n.name: n for n in klass.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    init = methods.get("__init__")
    owner = init.args.args[0].arg if init is not None and init.args.args else None
    names: set[str] = set()
    pending, seen = ["__init__"], set()
    while pending:
        name = pending.pop()
        if name in seen or name not in methods:
            continue
        seen.add(name)
        for call in _calls(methods[name]):
            names.add(_called_name(call.func))
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == owner:
                pending.append(call.func.attr)  # self.build_layers(): part of construction
    return names
