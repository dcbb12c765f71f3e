"""The shape of the code, held by tests: no import cycles, modules and functions that fit in a head,
and rules that import only from the rules API.

Every import counts, wherever it stands: at module level, inside a function, under
``if TYPE_CHECKING:``; a cycle hidden behind a function-local import is still a cycle. Imports are
read with ``ast``, so nothing here imports the packages (or torch).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ruff_like_rules", "pytest_paraminit")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Functions that are declarations rather than logic (argument parsers, tables), by module and name.
DECLARATIVE = {("ruff_like_rules.cli", "build_parser")}
RULES_API = "ruff_like_rules.rules.api"
# ruff_like_rules' layers, bottom first: a module imports from its own layer or those below.
# Rules are handed to the engine as classes; the rules reach fixes' synthesizers through their API.
LAYERS = (
    ("syntax",),
    ("vocabulary",),
    ("analysis",),
    ("engine",),
    ("fix",),
    ("rules",),
    ("workspace",),
    ("output", "integrations"),
    ("cli", "__main__"),
)


def modules(package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package``."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The package modules that ``name`` (at ``path``) imports, by any import statement."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from pkg import sub`` imports the submodule; ``from pkg.mod import X`` the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]  # import a.b.c of a module a.b names a.b
            if target and target != name:
                yield target


def import_graph(package: str) -> dict[str, set[str]]:
    known = modules(package)
    return {name: set(imported(name, path, known)) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles(package: str):
    assert cycles(import_graph(package)) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_fit_in_a_head(package: str):
    long = {
        name: lines
        for name, path in modules(package).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_functions_fit_in_a_head(package: str):
    long = {}
    for name, path in modules(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (name, node.name) not in DECLARATIVE:
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}:{node.lineno}"] = length
    assert long == {}


def test_rules_import_only_the_rules_api():
    """Fixit's discipline: a rule sees the engine through one small module, never its insides."""
    graph = import_graph("ruff_like_rules")
    rules = [name for name in graph if name.startswith("ruff_like_rules.rules.") and name != RULES_API]
    assert rules, "no rule modules found"
    reaching = {name: sorted(graph[name] - {RULES_API}) for name in rules if graph[name] - {RULES_API}}
    assert reaching == {}


def test_layers_import_downwards():
    rank = {name: level for level, names in enumerate(LAYERS) for name in names}
    graph = import_graph("ruff_like_rules")

    def layer(module: str) -> str:
        return module.split(".")[1] if "." in module else "__init__"

    assert {layer(module) for module in graph} - {"__init__"} <= set(rank), "a package missing from LAYERS"
    upwards = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if layer(module) in rank and layer(target) in rank and rank[layer(target)] > rank[layer(module)]
    )
    assert upwards == []


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]
