"""The project-wide half of the index: classes of other files, found through imports.

A base class imported from another file (``from .modeling_utils import PreTrainedModel``,
``from fairseq.modules import MultiheadAttention``) is looked up where Python would find it:
under the import root of the checked file's package, then under the ``src`` directories of the
settings (``.`` and ``src`` of the project root by default, as Ruff's), then on the interpreter's
``sys.path``.
``__init__.py`` re-exports are followed. The base's file is read once per process (kept
while its size and mtime hold) and indexed like any file, but only its classes' ``__init__``,
initializer-named methods and the methods those reach through ``self`` are parsed with
libcst: what a subclass inherits of construction and initialization, for a fraction of the
cost of the whole file. ``torch`` itself is never read: its classes stay as the vocabulary
describes them.

Every file a lookup consulted is recorded (``Project.consulted``): the results cache keys a
file's findings on them, so editing a base re-checks its dependants.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from ruff_like_rules.analysis.collector import index_file
from ruff_like_rules.analysis.index import ClassInfo, FileIndex
from ruff_like_rules.analysis.instance_calls import calls_text, initializers_called
from ruff_like_rules.analysis.meta_builds import classes_built_on_meta
from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.syntax.trusted import parse_module
from ruff_like_rules.vocabulary.torch_names import TorchNames, canonical

META_EVIDENCE = re.compile(
    r"""device\s*\(\s*["']meta["']|device\s*=\s*["']meta["']|init_empty_weights\s*\(|\.to_empty\s*\("""
)
"""Code that builds modules on the meta device (and so needs them to re-initialize themselves)."""
MAX_SCANNED_FILES = 20_000
_NOT_SCANNED = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})
MAX_REEXPORTS = 6
"""How many ``__init__.py`` re-exports a lookup follows before it gives up (cycles end too)."""
_NOT_READ = ("torch", "torchvision", "torchaudio")


@dataclass
class _Read:
    """One other file as far as lookups need it: its top-level classes and imports."""

    stat: tuple[int, int]
    package: str
    classes: frozenset[str]
    imports: dict[str, str]  # local name -> qualified (relative ones keep their dots)
    inherited: str | None  # the text libcst indexes (``inherited_text``); None once indexed
    stars: list[str]  # modules re-exported whole (from .x import *)
    index: FileIndex | None = None
    unparsable: bool = False  # libcst refused the cut: its classes stay opaque


def package_of(path: Path) -> tuple[str, Path]:
    """The dotted package a file sits in and the directory its top package is imported from."""
    parts: list[str] = []
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts)), directory


def absolute(qualified: str, package: str) -> str | None:
    """``..base.Base`` seen from package ``a.b.c`` is ``a.b.base.Base``; None past the top."""
    level = len(qualified) - len(qualified.lstrip("."))
    if level == 0:
        return qualified
    anchor = package.split(".") if package else []
    if level - 1 > len(anchor) or (level - 1 == len(anchor) and not anchor):
        return None
    anchor = anchor[: len(anchor) - (level - 1)]
    rest = qualified[level:]
    return ".".join([*anchor, rest] if rest else anchor) or None


class Project:
    """Lookups of classes by qualified name, shared by every file a process checks."""

    def __init__(self, options: AnalysisOptions) -> None:
        self.options = options
        self.consulted: set[Path] = set()
        self.generation = 0
        self._read: dict[Path, _Read | None] = {}
        self._module_files: dict[tuple[Path, str], Path | None] = {}
        # the ``src`` directories, then the interpreter's path (installed packages)
        self._site = [Path(p) for p in [*options.src, *sys.path] if p and Path(p).is_dir()]
        self._meta: dict[Path, Path | None] = {}
        self._meta_builds: dict[Path, tuple[frozenset[str], frozenset[Path]] | None] = {}
        self._initializer_calls: dict[Path, tuple[frozenset[str], frozenset[Path]]] = {}

    def meta_evidence(self, root: Path) -> Path | None:
        """A file under ``root`` that builds on the meta device, or ``root`` itself when there
        are too many files to tell (assume it does); None: the project never does."""
        if root not in self._meta:
            self._meta[root] = _scan_for_meta(root)
        return self._meta[root]

    def meta_builds(self, root: Path) -> tuple[frozenset[str], frozenset[Path]] | None:
        """The class names the meta builds under ``root`` construct (``analysis.meta_builds``)
        and the files that build on meta; None when there are too many files to tell."""
        if root not in self._meta_builds:
            self._meta_builds[root] = _scan_meta_builds(root)
        return self._meta_builds[root]

    def initializer_calls(self, root: Path) -> tuple[frozenset[str], frozenset[Path]]:
        """The initializer methods files under ``root`` call on instances
        (``analysis.instance_calls``) and the files that call them; none past ``MAX_SCANNED_FILES``."""
        if root not in self._initializer_calls:
            self._initializer_calls[root] = _scan_initializer_calls(root, self.options.initializer_methods)
        return self._initializer_calls[root]

    def lookups_for(self, path: Path) -> FileLookups:
        """Start the analysis of the file at ``path``: what it consults is recorded afresh,
        and files read before are checked for changes again."""
        self.consulted = set()
        self.generation += 1
        package, root = package_of(path.resolve())
        return FileLookups(self, package, root)

    def find_class(self, qualified: str, root: Path, consulted: set[Path], depth: int = 0) -> ClassInfo | None:
        if depth > MAX_REEXPORTS or qualified.split(".")[0] in _NOT_READ:
            return None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            path = self.module_file(".".join(parts[:cut]), root)
            if path is None:
                continue
            if cut != len(parts) - 1:
                return None  # a nested class, or an attribute of a class: not followed
            read = self._load(path)
            if read is None:
                return None
            consulted.add(path)
            name = parts[-1]
            if name in read.classes:
                index = self._indexed(path, read)
                return index.classes.get(name) if index is not None else None
            target = read.imports.get(name)
            target = absolute(target, read.package) if target is not None else None
            if target is not None:
                return self.find_class(target, package_of(path)[1], consulted, depth + 1)
            for star in read.stars:  # a lazy __init__: from .modeling_clip import * under TYPE_CHECKING
                module = absolute(star, read.package)
                found = self.find_class(f"{module}.{name}", package_of(path)[1], consulted, depth + 1) if module else None
                if found is not None:
                    return found
            return None
        return None

    def module_file(self, module: str, root: Path) -> Path | None:
        key = (root, module)
        if key not in self._module_files:
            self._module_files[key] = self._search(module.split("."), [root, *self._site])
        return self._module_files[key]

    @staticmethod
    def _search(parts: list[str], roots: list[Path]) -> Path | None:
        for base in roots:
            stem = base.joinpath(*parts)
            for candidate in (stem.with_name(stem.name + ".py"), stem / "__init__.py"):
                if candidate.is_file():
                    return candidate.resolve()
        return None

    def _load(self, path: Path) -> _Read | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        read = self._read.get(path)
        if read is not None and read.stat == (stat.st_mtime_ns, stat.st_size):
            return read
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            self._read[path] = None
            return None
        classes: dict[str, ast.ClassDef] = {}
        import_lines = [
            (n.lineno, n.end_lineno or n.lineno) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
        ]
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)
        imports, stars = _reexports(tree)
        stamp = (stat.st_mtime_ns, stat.st_size)
        # summarized now, the tree dropped: kept alive, the syntax trees of every base file
        # read were most of a worker's memory
        inherited = inherited_text(text.splitlines(), import_lines, classes, self.options.initializer_methods)
        read = _Read(stamp, package_of(path)[0], frozenset(classes), imports, inherited, stars)
        self._read[path] = read
        return read

    def _indexed(self, path: Path, read: _Read) -> FileIndex | None:
        if read.index is None and not read.unparsable:
            try:
                module = parse_module(read.inherited or "")
            except cst.ParserSyntaxError:
                read.unparsable = True
                return None
            names = TorchNames([module])
            read.index = index_file([ParsedChunk(1, module)], names, self.options)
            read.index.foreign = FileLookups(self, read.package, package_of(path)[1])
            read.inherited = None  # kept until indexed: a retry on a deeper stack indexes again
        return read.index


@dataclass
class FileLookups:
    """What one file's imports name in other files (``analysis.index.ForeignClasses``)."""

    project: Project
    package: str
    root: Path
    _memo: dict[str, tuple[int, ClassInfo | None, set[Path]]] = field(default_factory=dict)

    def builds_on_meta(self) -> bool:
        evidence = self.project.meta_evidence(self.root)
        if evidence is not None and evidence.is_file():
            self.project.consulted.add(evidence)
        return evidence is not None

    def classes_built_on_meta(self) -> frozenset[str] | None:
        found = self.project.meta_builds(self.root)
        if found is None:
            return None
        self.project.consulted |= found[1]
        return found[0]

    def initializers_called_on_instances(self) -> frozenset[str]:
        names, evidence = self.project.initializer_calls(self.root)
        self.project.consulted |= evidence
        return names

    def absolute(self, qualified: str) -> str | None:
        target = absolute(qualified, self.package)
        return canonical(target) if target else None

    def resolve(self, qualified: str) -> ClassInfo | None:
        """Looked up once per analysis (lineages ask again and again)."""
        hit = self._memo.get(qualified)
        if hit is None or hit[0] != self.project.generation:
            target = absolute(qualified, self.package)
            consulted: set[Path] = set()
            found = self.project.find_class(target, self.root, consulted) if target else None
            hit = self._memo[qualified] = (self.project.generation, found, consulted)
        self.project.consulted |= hit[2]
        return hit[1]


def _reexports(tree: ast.Module) -> tuple[dict[str, str], list[str]]:
    """What a file's names import, at the top level and in top-level ``if``/``try`` blocks
    (``if TYPE_CHECKING:`` in a lazy ``__init__.py``), with the modules it star-imports and
    a lazy module's ``_import_structure = {"models.clip": ["CLIPModel"]}`` table."""
    imports: dict[str, str] = {}
    stars: list[str] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            separator = "." if node.module else ""
            for alias in node.names:
                if alias.name == "*":
                    stars.append(base)
                else:
                    imports.setdefault(alias.asname or alias.name, f"{base}{separator}{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports.setdefault(alias.asname, alias.name)
        elif isinstance(node, (ast.If, ast.Try)):
            pending.extend([*node.body, *node.orelse, *getattr(node, "finalbody", []), *getattr(node, "handlers", [])])
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and _names(node.targets) == ["_import_structure"]:
            for key, value in zip(node.value.keys, node.value.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, (ast.List, ast.Tuple)):
                    for element in value.elts:
                        if isinstance(element, ast.Constant) and isinstance(element.value, str):
                            imports.setdefault(element.value, f".{key.value}.{element.value}")
    return imports, stars


def _names(targets: list[ast.expr]) -> list[str]:
    return [t.id for t in targets if isinstance(t, ast.Name)]


# -------------------------------------------------------------------- what is parsed


def inherited_text(
    lines: list[str], import_lines: list[tuple[int, int]], classes: dict[str, ast.ClassDef], initializers: frozenset[str]
) -> str:
    """The file with only its imports and what its classes hand down to subclasses kept:
    ``__init__``, initializer methods and what those name on ``self``. The rest becomes blank
    lines, so line numbers stay those of the file."""
    keep = [False] * (len(lines) + 1)
    replace: dict[int, str] = {}
    for first, last in import_lines:
        _keep_lines(keep, first, last)
    for cls in classes.values():
        _keep_class(cls, keep, replace, initializers)
    out = []
    for number, line in enumerate(lines, start=1):
        out.append(replace.get(number, line if keep[number] else ""))
    return "\n".join(out) + "\n"


_INHERITED = frozenset({"__init__", "post_init", "init_states"})


def _keep_class(cls: ast.ClassDef, keep: list[bool], replace: dict[int, str], initializers: frozenset[str]) -> None:
    first = _first_line(cls)
    header_end = max([cls.lineno, *(n.end_lineno or n.lineno for n in [*cls.bases, *cls.keywords])])
    body_start = _first_line(cls.body[0])
    if body_start <= header_end:
        _keep_lines(keep, first, cls.end_lineno or cls.lineno)
        return
    _keep_lines(keep, first, body_start - 1)
    methods = {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    wanted = [name for name in methods if name in _INHERITED or name in initializers or _initializer_like(name)]
    kept: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in kept or name not in methods:
            continue
        kept.add(name)
        wanted.extend(_self_attributes(methods[name]))
    for name in kept:
        method = methods[name]
        _keep_lines(keep, _first_line(method), method.end_lineno or method.lineno)
    if not kept:
        replace[body_start] = " " * cls.body[0].col_offset + "pass"


def _first_line(statement: ast.stmt) -> int:
    """Where a statement starts, its decorators included."""
    decorators = getattr(statement, "decorator_list", None)
    return min(d.lineno for d in decorators) if decorators else statement.lineno


def _initializer_like(name: str) -> bool:
    bare = name.lstrip("_")
    return bare.startswith(("init", "reset")) or bare.endswith(("init", "initialize", "init_weights"))


def _self_attributes(function: ast.AST) -> set[str]:
    """Names read as ``self.X`` or ``super().X`` (calls, and methods handed to ``apply``)."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Call)):
            value = node.value
            if isinstance(value, ast.Name) and value.id == "self":
                found.add(node.attr)
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super":
                found.add(node.attr)
    return found


def _keep_lines(keep: list[bool], first: int, last: int) -> None:
    for number in range(first, min(last, len(keep) - 1) + 1):
        keep[number] = True


def _python_files(root: Path):
    """The ``.py`` files under ``root`` (hidden and build directories aside), then None once
    there are more than ``MAX_SCANNED_FILES``."""
    scanned = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and d not in _NOT_SCANNED]
        for name in files:
            if not name.endswith(".py"):
                continue
            scanned += 1
            if scanned > MAX_SCANNED_FILES:
                yield None
                return
            yield Path(directory, name)


def _meta_text(path: Path) -> str | None:
    """The file's text when it builds on the meta device."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text if META_EVIDENCE.search(text) else None


def _scan_for_meta(root: Path) -> Path | None:
    for path in _python_files(root):
        if path is None:
            return root
        if _meta_text(path) is not None:
            return path.resolve()
    return None


def _scan_meta_builds(root: Path) -> tuple[frozenset[str], frozenset[Path]] | None:
    names: set[str] = set()
    evidence: set[Path] = set()
    for path in _python_files(root):
        if path is None:
            return None
        text = _meta_text(path)
        if text is not None:
            names |= classes_built_on_meta(text)
            evidence.add(path.resolve())
    return frozenset(names), frozenset(evidence)


def _scan_initializer_calls(root: Path, methods: frozenset[str]) -> tuple[frozenset[str], frozenset[Path]]:
    names: set[str] = set()
    evidence: set[Path] = set()
    if not methods:
        return frozenset(), frozenset()
    wanted = calls_text(methods)
    for path in _python_files(root):
        if path is None:
            break  # too many files to read: the calls of those read so far
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if wanted.search(text):
            found = initializers_called(text, methods)
            if found:
                names |= found
                evidence.add(path.resolve())
    return frozenset(names), frozenset(evidence)


_PROJECTS: dict[AnalysisOptions, Project] = {}


def project_for(options: AnalysisOptions) -> Project:
    """The process' project index for these options (workers and the LSP keep theirs)."""
    project = _PROJECTS.get(options)
    if project is None:
        project = _PROJECTS[options] = Project(options)
    return project


def consulted_stats(paths: set[Path]) -> list[list[object]]:
    """``[path, mtime_ns, size]`` of each consulted file, for the results cache."""
    stats = []
    for path in sorted(paths):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stats.append([str(path), stat.st_mtime_ns, stat.st_size])
    return stats
