"""``[tool.paraminit]`` settings: find them for each checked file and resolve them like Ruff.

A project's settings live in ``.paraminit.toml``, ``paraminit.toml`` or the
``[tool.paraminit]`` table of ``pyproject.toml`` (checked in that order in each directory);
the nearest one above a checked file wins, and the command line goes over it. Reading and
validating one file is :mod:`.settings_file`; selectors are :mod:`.selection`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruff_like_rules.workspace.globs import PathGlob, relative_to
from ruff_like_rules.workspace.selection import RuleSelection, check_selector, select_rules, selector_matches
from ruff_like_rules.workspace.settings_file import (
    Config,
    ConfigError,
    inline_overrides,
    read_config_file,
    with_overrides,
)

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule
    from ruff_like_rules.engine.settings import AnalysisSettings

CONFIG_FILENAMES = (".paraminit.toml", "paraminit.toml", "pyproject.toml")


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
