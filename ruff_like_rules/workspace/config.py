"""``[tool.paraminit]`` settings: find them, check them, and resolve them per file like Ruff.

A project's settings live in ``.paraminit.toml``, ``paraminit.toml`` or the
``[tool.paraminit]`` table of ``pyproject.toml`` (checked in that order in each directory);
the nearest one above a checked file wins. Mistakes in a settings file are errors that
name the file and key, never silently ignored: a typo'd ``ignore`` would otherwise hide
real findings.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomllib

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule
    from ruff_like_rules.engine.settings import AnalysisSettings

CONFIG_FILENAMES = (".paraminit.toml", "paraminit.toml", "pyproject.toml")
DEFAULT_CACHE_DIR = ".paraminit_cache"
DEFAULT_SELECTOR = "PIN"
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


_GLOB_CHARS = re.compile(r"[*?\[/]")


class ConfigError(Exception):
    """A settings file or command-line selection that cannot be used (exit code 2)."""


# ---------------------------------------------------------------------------- globs


@functools.lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a path glob: ``*`` and ``?`` stay within one path segment, ``**`` spans any."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", index + 2)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = close + 1
                continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class PathGlob:
    """A Ruff-style file pattern: one without ``/`` matches a file or directory name
    anywhere; one with ``/`` matches the path relative to the settings' directory."""

    pattern: str

    def matches(self, relative: str) -> bool:
        if "/" in self.pattern.rstrip("/"):
            return glob_regex(self.pattern.strip("/")).match(relative) is not None
        name = relative.rsplit("/", 1)[-1]
        return glob_regex(self.pattern.rstrip("/")).match(name) is not None


# ---------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class RuleSelection:
    """One layer of selectors (the settings file, then the command line), like Ruff's."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _specificity(selector: str) -> int:
    return -1 if selector == "ALL" else len(selector)


def selector_matches(selector: str, rule: type[Rule], preview: bool) -> bool:
    """A full code always selects its rule; a prefix reaches preview rules only in preview."""
    if selector == rule.code:
        return True
    if rule.preview and not preview:
        return False
    return selector == "ALL" or rule.code.startswith(selector)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for the closest of ``choices``, or nothing when none is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def check_selector(selector: str, catalogue: Sequence[type[Rule]]) -> str:
    code = selector.strip().upper()
    if code == "ALL" or any(rule.code.startswith(code) for rule in catalogue):
        return code
    raise ValueError(f"unknown rule selector `{selector}`{did_you_mean(code, [r.code for r in catalogue])}")


def select_rules(
    layers: Sequence[RuleSelection], catalogue: Sequence[type[Rule]], preview: bool
) -> tuple[type[Rule], ...]:
    """Apply each layer in turn; within a layer the more specific selector wins, and on a
    tie ``ignore`` beats ``select`` (Ruff's rule)."""
    enabled = {rule for rule in catalogue if selector_matches(DEFAULT_SELECTOR, rule, preview)}
    for layer in layers:
        if layer.select is not None:
            enabled = set()
        choices = [(s, True) for s in (*(layer.select or ()), *layer.extend_select)]
        choices += [(s, False) for s in layer.ignore]
        for selector, enable in sorted(choices, key=lambda c: (_specificity(c[0]), not c[1])):
            for rule in catalogue:
                if selector_matches(selector, rule, preview):
                    (enabled.add if enable else enabled.discard)(rule)
    return tuple(rule for rule in catalogue if rule in enabled)


# ---------------------------------------------------------------------------- settings file


@dataclass(frozen=True)
class Overrides:
    """What the command line says; it beats any settings file (``None``: not given)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    preview: bool | None = None
    # file selection and fixes on the command line, over every settings file
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    extend_per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool | None = None
    ignore_noqa: bool = False
    fixable: tuple[str, ...] | None = None
    unfixable: tuple[str, ...] = ()


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
        names = frozenset(p.rstrip("/") for p in patterns if not _GLOB_CHARS.search(p.rstrip("/")))
        return names, tuple(PathGlob(p) for p in patterns if p.rstrip("/") not in names)

    def is_excluded(self, path: str | Path) -> bool:
        names, globs = self._exclusion
        if os.path.basename(path) in names:
            return True
        relative = relative_to(path, self.root)
        return any(glob.matches(relative) for glob in globs)

    def cache_directory(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.root / DEFAULT_CACHE_DIR


def relative_to(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (the absolute path if outside).

    String work rather than ``Path.relative_to``: discovery calls this for every file.
    """
    text, base = os.fspath(path), os.fspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if text.startswith(prefix):
        text = text[len(prefix) :]
    elif text == base:
        text = "."
    return text.replace(os.sep, "/") if os.sep != "/" else text


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


def with_command_line(config: Config, cli: Overrides) -> Config:
    """``config`` with the command line's file-selection and fix options over it."""
    values: dict[str, Any] = {}
    if cli.exclude is not None:
        values["exclude"] = cli.exclude
    if cli.extend_exclude:
        values["extend_exclude"] = config.extend_exclude + cli.extend_exclude
    if cli.per_file_ignores is not None:
        values["per_file_ignores"] = cli.per_file_ignores
    if cli.extend_per_file_ignores:
        values["extend_per_file_ignores"] = config.extend_per_file_ignores + cli.extend_per_file_ignores
    if cli.respect_gitignore is not None:
        values["respect_gitignore"] = cli.respect_gitignore
    if cli.fixable is not None:
        values["fixable"] = cli.fixable
    if cli.unfixable:
        values["unfixable"] = config.unfixable + cli.unfixable
    return dataclasses.replace(config, **values) if values else config


# ---------------------------------------------------------------------------- resolution


def _catalogue() -> tuple[type[Rule], ...]:
    from ruff_like_rules.rules import ALL_RULES

    return ALL_RULES


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


@dataclass
class Resolver:
    """Finds the settings for each checked path and turns them into ``AnalysisSettings``.

    ``explicit`` (``--config``) replaces discovery; ``cwd`` is where discovery falls back to
    when no settings file is found. Lookups are memoised per directory.
    """

    overrides: Overrides = Overrides()
    explicit: Path | None = None
    inline: tuple[str, ...] = ()  # ``--config 'key = value'`` overrides, applied over every settings file
    cwd: Path = field(default_factory=Path.cwd)
    catalogue: tuple[type[Rule], ...] = field(default_factory=_catalogue)
    _by_directory: dict[Path, Config] = field(default_factory=dict, repr=False)
    _fixed: Config | None = field(default=None, repr=False)
    _inline: dict[str, Any] = field(default_factory=dict, repr=False)
    _rules_by_config: dict[Config, tuple[type[Rule], ...]] = field(default_factory=dict, repr=False)
    _fingerprints: dict[Config, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.cwd = self.cwd.resolve()
        try:
            self._selection_cli = RuleSelection(
                select=tuple(check_selector(s, self.catalogue) for s in self.overrides.select)
                if self.overrides.select is not None
                else None,
                extend_select=tuple(check_selector(s, self.catalogue) for s in self.overrides.extend_select),
                ignore=tuple(check_selector(s, self.catalogue) for s in self.overrides.ignore),
            )
            self.overrides = self._checked_command_line(self.overrides)
        except ValueError as error:
            raise ConfigError(f"command line: {error}") from None
        self._inline = inline_overrides(self.inline, self.cwd, self.catalogue)
        if self.explicit is not None:
            found = read_config_file(self.explicit, self.catalogue)
            self._fixed = with_command_line(with_overrides(
                found if found is not None else Config(root=self.explicit.parent.resolve(), source=self.explicit),
                self._inline,
            ), self.overrides)

    def _checked_command_line(self, cli: Overrides) -> Overrides:
        """The command line's per-file and fix selectors, checked and spelled as codes."""
        def codes(values: Sequence[str]) -> tuple[str, ...]:
            return tuple(check_selector(s, self.catalogue) for s in values)

        def pairs(values: Sequence[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
            return tuple((glob, codes(selectors)) for glob, selectors in values)

        return dataclasses.replace(
            cli,
            per_file_ignores=pairs(cli.per_file_ignores) if cli.per_file_ignores is not None else None,
            extend_per_file_ignores=pairs(cli.extend_per_file_ignores),
            fixable=codes(cli.fixable) if cli.fixable is not None else None,
            unfixable=codes(cli.unfixable),
        )

    def config_for(self, path: Path) -> Config:
        """The settings that govern ``path`` (a file or directory)."""
        if self._fixed is not None:
            return self._fixed
        path = path if path.is_absolute() else self.cwd / path
        directory = path if path.is_dir() else path.parent
        return self.config_in(Path(directory))

    def config_in(self, directory: Path) -> Config:
        """The settings that govern the files of ``directory``."""
        if self._fixed is not None:
            return self._fixed
        cached = self._by_directory.get(directory)
        if cached is not None:
            return cached
        found: Config | None = None
        for name in CONFIG_FILENAMES:
            candidate = directory / name
            if candidate.is_file():
                found = read_config_file(candidate, self.catalogue)
                if found is not None:
                    break
        if found is None:
            parent = directory.parent
            if parent != directory:
                self._by_directory[directory] = found = self.config_in(parent)
                return found
            found = Config(root=self.cwd)
        found = with_command_line(with_overrides(found, self._inline), self.overrides)
        self._by_directory[directory] = found
        return found

    def project_config(self) -> Config:
        """The settings for the current directory: they decide where the cache lives."""
        return self.config_for(self.cwd)

    def fingerprint(self, config: Config) -> str:
        """Everything besides the code that decides findings under ``config``, as a string."""
        fingerprint = self._fingerprints.get(config)
        if fingerprint is None:
            fingerprint = self._fingerprints[config] = repr((config, self.overrides))
        return fingerprint

    def preview(self, config: Config) -> bool:
        return self.overrides.preview if self.overrides.preview is not None else config.preview

    def _rules_for_config(self, config: Config) -> tuple[type[Rule], ...]:
        rules = self._rules_by_config.get(config)
        if rules is None:
            layers = (*config.base_selections, config.selection, self._selection_cli)
            rules = select_rules(layers, self.catalogue, self.preview(config))
            self._rules_by_config[config] = rules
        return rules

    def settings_for(self, path: Path) -> AnalysisSettings:
        """Analysis settings for the file ``path``, with per-file-ignores applied."""
        from ruff_like_rules.engine.settings import AnalysisSettings

        config = self.config_for(path)
        rules = self._rules_for_config(config)
        ignored = self.ignored_by_path(config, path)
        if ignored:
            preview = self.preview(config)
            rules = tuple(r for r in rules if not any(selector_matches(s, r, preview) for s in ignored))
        extra: dict[str, Any] = {}
        if config.initializer_methods is not None:
            extra["initializer_methods"] = frozenset(config.initializer_methods)
        src = tuple(os.path.normpath(config.root / Path(entry).expanduser()) for entry in config.src)
        return AnalysisSettings(rules=rules, init_functions=frozenset(config.init_functions), src=src,
                                unfixable=self.unfixable(config, rules), ignore_noqa=self.overrides.ignore_noqa, **extra)

    def unfixable(self, config: Config, rules: Sequence[type[Rule]]) -> frozenset[str]:
        """The codes among ``rules`` whose fixes are withheld (``fixable`` / ``unfixable``)."""
        fixable = select_rules((RuleSelection(select=config.fixable or ("ALL",), ignore=config.unfixable),), rules, True)
        return frozenset(rule.code for rule in rules if rule not in fixable)

    def ignored_by_path(self, config: Config, path: Path) -> tuple[str, ...]:
        absolute = path if path.is_absolute() else self.cwd / path
        relative = relative_to(absolute, config.root)
        ignored: list[str] = []
        for pattern, codes in (*config.per_file_ignores, *config.extend_per_file_ignores):
            negated = pattern.startswith("!")
            if PathGlob(pattern[1:] if negated else pattern).matches(relative) != negated:
                ignored.extend(codes)
        return tuple(ignored)


def split_selectors(values: Iterable[str] | None, flag: str) -> tuple[str, ...] | None:
    """``--select A,B --select C`` → ``("A", "B", "C")``; None when the flag was not given.
    A value that names no rule at all (``--select ',,'``) is a usage error, not "select nothing"."""
    if values is None:
        return None
    selectors: list[str] = []
    for value in values:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            raise ConfigError(f"{flag} {value!r}: no rule code or prefix given")
        selectors.extend(parts)
    return tuple(selectors)
