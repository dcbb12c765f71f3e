"""Which files a run checks: the paths given, walked with ``os.scandir``, minus what the
settings exclude and what ``.gitignore`` files ignore (as Ruff and ripgrep do)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruff_like_rules.workspace.config import ConfigError, Resolver
from ruff_like_rules.workspace.globs import glob_regex, relative_to
from ruff_like_rules.workspace.settings_file import Config

PYTHON_SUFFIXES = (".py", ".pyi")
CHECKED_SUFFIXES = (*PYTHON_SUFFIXES, ".ipynb")
"""What a directory walk checks: Python files and Jupyter notebooks, as Ruff does."""


@dataclass(frozen=True)
class IgnorePattern:
    """One line of a ``.gitignore``, matched against paths relative to ``base``."""

    base: Path
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool

    @classmethod
    def parse(cls, line: str, base: Path) -> IgnorePattern | None:
        line = line.rstrip("\n").rstrip("\r")
        if not line.strip() or line.startswith("#"):
            return None
        stripped = line.rstrip(" ")
        if stripped.endswith("\\") and len(stripped) < len(line):
            stripped += " "  # "\ " keeps one trailing space
        line = stripped
        negated = line.startswith("!")
        if negated or line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            return None
        anchored = "/" in line
        line = line.lstrip("/")
        if not anchored:
            line = "**/" + line
        if line.endswith("/**"):
            line += "/*"  # "dir/**" means what is inside dir, not dir itself
        return cls(base, glob_regex(line.replace("\\", "")), negated, directory_only)


class GitIgnore:
    """The ``.gitignore`` files (and ``.git/info/exclude``) that apply inside a repository.

    Outside a git repository nothing is ignored, as with Ruff and ripgrep. Deeper files and
    later lines win; an ignored directory is never entered, so nothing inside it comes back.
    """

    def __init__(self) -> None:
        self._by_directory: dict[Path, tuple[IgnorePattern, ...] | None] = {}

    def patterns(self, directory: Path) -> tuple[IgnorePattern, ...] | None:
        """The patterns in force in ``directory``; None outside any git repository."""
        if directory in self._by_directory:
            return self._by_directory[directory]
        patterns: tuple[IgnorePattern, ...] | None
        if (directory / ".git").exists():
            patterns = _read_patterns(directory / ".git" / "info" / "exclude", directory)
            patterns += _read_patterns(directory / ".gitignore", directory)
        elif directory.parent == directory:
            patterns = None
        else:
            inherited = self.patterns(directory.parent)
            patterns = None if inherited is None else inherited + _read_patterns(directory / ".gitignore", directory)
        self._by_directory[directory] = patterns
        return patterns

    def ignores(self, path: str | Path, directory: Path, is_directory: bool) -> bool:
        """Whether ``path``, an entry of ``directory``, is ignored."""
        for pattern in reversed(self.patterns(directory) or ()):
            if pattern.directory_only and not is_directory:
                continue
            relative = relative_to(path, pattern.base)
            if pattern.regex.match(relative):
                return not pattern.negated
        return False


def _read_patterns(path: Path, base: Path) -> tuple[IgnorePattern, ...]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    return tuple(p for p in (IgnorePattern.parse(line, base) for line in lines) if p is not None)


# ---------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Candidate:
    """A file to check, with the stat the walk got for free and the settings that govern it."""

    path: Path
    stat: os.stat_result | None
    config: Config


@dataclass
class Discovery:
    """Walks the paths given on the command line, skipping what settings and git exclude."""

    resolver: Resolver
    force_exclude: bool = False
    gitignore: GitIgnore = field(default_factory=GitIgnore)
    walked: set[tuple[int, int]] = field(default_factory=set)
    """(device, inode) of every directory walked: symlink loops and aliases are entered once."""

    def excluded(self, path: str | Path, directory: Path, is_directory: bool, config: Config) -> bool:
        if config.is_excluded(path):
            return True
        return config.respect_gitignore and self.gitignore.ignores(path, directory, is_directory)

    def excluded_with_parents(self, path: Path) -> bool:
        """For ``--force-exclude``: the path or any directory above it is excluded."""
        for candidate in (path, *path.parents):
            config = self.resolver.config_in(candidate.parent)
            if candidate != path and not _is_relative(candidate, config.root):
                break
            if self.excluded(candidate, candidate.parent, candidate != path or candidate.is_dir(), config):
                return True
        return False

    def files(self, paths: Sequence[str]) -> Iterator[Candidate]:
        """Each file once, even if named twice or inside a directory also named."""
        seen: set[Path] = set()
        for candidate in self._files(paths):
            if candidate.path not in seen:
                seen.add(candidate.path)
                yield candidate

    def _files(self, paths: Sequence[str]) -> Iterator[Candidate]:
        cwd = self.resolver.cwd
        for given in paths:
            path = Path(os.path.normpath(cwd / given))
            if self.force_exclude and self.excluded_with_parents(path):
                continue
            try:
                is_directory = path.is_dir()
            except OSError as error:  # a name too long, say: the user's input, not a bug
                raise ConfigError(f"{given}: {error.strerror or error}") from None
            if is_directory:
                yield from self._walk(path)
            else:
                try:
                    stat = path.stat()
                except OSError:
                    stat = None  # reported as unreadable when analysed
                yield Candidate(path, stat, self.resolver.config_in(path.parent))

    def _walk(self, directory: Path) -> Iterator[Candidate]:
        # strings, not Paths, for the entries: this loop runs once per file of the tree
        config = self.resolver.config_in(directory)
        try:
            identity = os.stat(directory)
            if (identity.st_dev, identity.st_ino) in self.walked:
                return
            self.walked.add((identity.st_dev, identity.st_ino))
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                is_directory = entry.is_dir()
                if not is_directory and not entry.name.endswith(CHECKED_SUFFIXES):
                    continue
                if not is_directory and not entry.is_file() and not entry.is_symlink():
                    continue  # FIFOs, sockets and devices named *.py are never opened (a dangling link is reported)
            except OSError:
                continue
            if self.excluded(entry.path, directory, is_directory, config):
                continue
            if is_directory:
                yield from self._walk(Path(entry.path))
            else:
                try:
                    stat = entry.stat()
                except OSError:
                    stat = None
                yield Candidate(Path(entry.path), stat, config)


def _is_relative(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
