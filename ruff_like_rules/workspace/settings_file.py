"""One settings file (or ``--config`` inline table), read and validated into a :class:`Config`.

A settings table sits at the top level of ``.paraminit.toml`` / ``paraminit.toml`` (or any
file given with ``--config``), or under ``[tool.paraminit]`` of a pyproject-style file.
``extend = "../pyproject.toml"`` stacks another file's settings under it. Mistakes are
errors that name the file and key, never silently ignored: a typo'd ``ignore`` would
otherwise hide real findings.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomllib

from ruff_like_rules.workspace.globs import GLOB_CHARS, PathGlob, relative_to
from ruff_like_rules.workspace.selection import RuleSelection, check_selector, did_you_mean

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule

DEFAULT_CACHE_DIR = ".paraminit_cache"
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".paraminit_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


class ConfigError(Exception):
    """A settings file or command-line selection that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Config:
    """One settings file, validated; ``root`` is the directory its relative globs start from."""

    root: Path
    source: Path | None = None
    selection: RuleSelection = RuleSelection()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    initializer_methods: tuple[str, ...] | None = None
    init_functions: tuple[str, ...] = ()
    preview: bool = False
    cache_dir: Path | None = None
    # where the project index looks for first-party imports, relative to ``root`` (as Ruff's ``src``)
    src: tuple[str, ...] = (".", "src")
    extend_per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    fixable: tuple[str, ...] | None = None  # None: every rule's fixes
    unfixable: tuple[str, ...] = ()
    base_selections: tuple[RuleSelection, ...] = ()  # the selections of the files it `extend`s, first first

    @functools.cached_property
    def _exclusion(self) -> tuple[frozenset[str], tuple[PathGlob, ...]]:
        # plain names (the usual case) are a set lookup; only real globs go through regexes
        patterns = (*self.exclude, *self.extend_exclude)
        names = frozenset(p.rstrip("/") for p in patterns if not GLOB_CHARS.search(p.rstrip("/")))
        return names, tuple(PathGlob(p) for p in patterns if p.rstrip("/") not in names)

    def is_excluded(self, path: str | Path) -> bool:
        names, globs = self._exclusion
        if os.path.basename(path) in names:
            return True
        relative = relative_to(path, self.root)
        return any(glob.matches(relative) for glob in globs)

    def cache_directory(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.root / DEFAULT_CACHE_DIR


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _selectors(value: Any, where: str, catalogue: Sequence[type[Rule]]) -> tuple[str, ...]:
    try:
        return tuple(check_selector(s, catalogue) for s in _string_list(value, where))
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def parse_table(table: dict[str, Any], root: Path, source: Path | None, catalogue: Sequence[type[Rule]]) -> Config:
    """Validate a ``[tool.paraminit]`` table; ``source`` names the file in error messages."""
    label = str(source) if source is not None else "settings"
    return Config(root=root, source=source, **_table_values(table, root, label, catalogue))


def _table_values(table: dict[str, Any], root: Path, label: str, catalogue: Sequence[type[Rule]]) -> dict[str, Any]:
    """The :class:`Config` fields a table sets, validated; ``label`` names its origin in error messages."""

    def where(key: str) -> str:
        return f"{label}: `{key}`"

    known = {
        "select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude",
        "initializer-methods", "init-functions", "preview", "cache-dir", "src",
        "extend-per-file-ignores", "respect-gitignore", "fixable", "unfixable", "extend",
    }  # fmt: skip
    unknown = sorted(set(table) - known)
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise ConfigError(
            f"{label}: unknown key `{unknown[0]}` in [tool.paraminit]"
            + (hint if hint else f" (known: {', '.join(sorted(known))})")
        )
    values: dict[str, Any] = {}
    if "select" in table or "extend-select" in table or "ignore" in table:
        values["selection"] = RuleSelection(
            select=_selectors(table["select"], where("select"), catalogue) if "select" in table else None,
            extend_select=_selectors(table.get("extend-select", []), where("extend-select"), catalogue),
            ignore=_selectors(table.get("ignore", []), where("ignore"), catalogue),
        )
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        if key in table:
            mapping = table[key]
            if not isinstance(mapping, dict):
                raise ConfigError(f"{where(key)}: expected a table of glob = [codes], got {mapping!r}")
            values[key.replace("-", "_")] = tuple(
                (glob, _selectors(codes, where(f"{key}.{glob}"), catalogue)) for glob, codes in mapping.items()
            )
    for key in ("fixable", "unfixable"):
        if key in table:
            values[key] = _selectors(table[key], where(key), catalogue)
    if "respect-gitignore" in table:
        if not isinstance(table["respect-gitignore"], bool):
            raise ConfigError(f"{where('respect-gitignore')}: expected true or false, got {table['respect-gitignore']!r}")
        values["respect_gitignore"] = table["respect-gitignore"]
    for key, attribute in (
        ("exclude", "exclude"),
        ("extend-exclude", "extend_exclude"),
        ("init-functions", "init_functions"),
        ("initializer-methods", "initializer_methods"),
    ):
        if key in table:
            values[attribute] = _string_list(table[key], where(key))
    if "preview" in table:
        if not isinstance(table["preview"], bool):
            raise ConfigError(f"{where('preview')}: expected true or false, got {table['preview']!r}")
        values["preview"] = table["preview"]
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str):
            raise ConfigError(f"{where('cache-dir')}: expected a path string, got {table['cache-dir']!r}")
        values["cache_dir"] = root / Path(table["cache-dir"]).expanduser()
    if "src" in table:
        values["src"] = _string_list(table["src"], where("src"))
    return values


def read_config_file(path: Path, catalogue: Sequence[type[Rule]], seen: tuple[Path, ...] = ()) -> Config | None:
    """The settings in ``path``; None for a ``pyproject.toml`` without ``[tool.paraminit]``."""
    try:
        with path.open("rb") as stream:
            document = tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {error.start}): TOML files must be UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    tool = document.get("tool")
    if path.name == "pyproject.toml" and tool is not None and not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table, got {type(tool).__name__} {tool!r}"[:200])
    if path.name == "pyproject.toml" or isinstance(tool, dict):
        table = tool.get("paraminit") if isinstance(tool, dict) else None  # pyproject-style, under any name
        if table is None and path.name == "pyproject.toml":
            return None
        if table is None:
            raise ConfigError(f"{path}: a [tool] table without [tool.paraminit]; put the settings there, "
                              "or at the top level as in .paraminit.toml")
    else:
        table = document  # like ruff.toml: the keys sit at the top level
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.paraminit] must be a table")
    config = parse_table(table, path.parent.resolve(), path, catalogue)
    return extended(config, table.get("extend"), path, catalogue, seen)


def extended(config: Config, base: Any, path: Path, catalogue: Sequence[type[Rule]], seen: tuple[Path, ...]) -> Config:
    """``extend = "../pyproject.toml"``: the settings of that file (relative to this one), with
    this file's keys over them; selections stack (the base's first), as do the ``extend-*`` keys."""
    if base is None:
        return config
    if not isinstance(base, str):
        raise ConfigError(f"{path}: `extend`: expected a path string, got {base!r}")
    target = (path.parent / Path(base).expanduser()).resolve()
    if target in seen or target == path.resolve():
        raise ConfigError(f"{path}: `extend`: {base} extends back to itself")
    if not target.is_file():
        raise ConfigError(f"{path}: `extend`: no such settings file: {base}")
    parent = read_config_file(target, catalogue, (*seen, path.resolve()))
    if parent is None:
        raise ConfigError(f"{path}: `extend`: {base} has no [tool.paraminit] settings")
    mine = {f.name: getattr(config, f.name) for f in dataclasses.fields(Config)
            if getattr(config, f.name) != f.default and f.name not in ("root", "source", "selection")}
    mine["extend_exclude"] = parent.extend_exclude + config.extend_exclude
    mine["extend_per_file_ignores"] = parent.extend_per_file_ignores + config.extend_per_file_ignores
    mine["base_selections"] = (*parent.base_selections, parent.selection)
    return dataclasses.replace(parent, root=config.root, source=config.source, selection=config.selection, **mine)


def inline_overrides(values: Sequence[str], cwd: Path, catalogue: Sequence[type[Rule]]) -> dict[str, Any]:
    """Ruff-style ``--config 'select = ["PIN001"]'``: each a TOML ``key = value`` of the settings table."""
    table: dict[str, Any] = {}
    for value in values:
        try:
            table.update(tomllib.loads(value))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"--config {value!r}: neither a settings file nor a TOML `key = value` ({error})") from None
    values = _table_values(table, cwd, "--config", catalogue)
    if "selection" in values:  # only the selector keys given replace the file's
        values["selection"] = {key.replace("-", "_"): getattr(values["selection"], key.replace("-", "_"))
                               for key in ("select", "extend-select", "ignore") if key in table}
    return values


def with_overrides(config: Config, values: dict[str, Any]) -> Config:
    """``config`` as if the inline ``--config`` keys were written in it (each selector key on its own)."""
    if not values:
        return config
    values = dict(values)
    if "selection" in values:
        values["selection"] = dataclasses.replace(config.selection, **values["selection"])
    return dataclasses.replace(config, **values)

