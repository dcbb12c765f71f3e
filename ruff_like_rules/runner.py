"""``paraminit check``: find the files, reuse cached results, analyse the rest in parallel.

The run is shaped for speed on large trees: discovery uses ``os.scandir`` (the stat comes
free), a warm run answers from the cache by size and mtime without reading files or
starting workers, and only cache misses are read, hashed and analysed — in this process
when there are few, else in a process pool fed in chunks.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ruff_like_rules.cache import Cache, CacheFile, content_digest
from ruff_like_rules.config import Config, Resolver, glob_regex, relative_to
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position

if TYPE_CHECKING:
    from ruff_like_rules.engine.settings import AnalysisSettings
    from ruff_like_rules.fixes import FileFix

PYTHON_SUFFIXES = (".py", ".pyi")
IN_PROCESS_LIMIT = 8
"""Up to this many files to analyse, starting workers costs more than it saves."""
CHUNKS_PER_JOB = 16
MAX_CHUNK = 64
"""Chunks amortise the per-submission cost; enough of them per worker keep the load even."""
STDIN = "-"


def available_cores() -> int:
    """The cores this process may run on (the affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass
class FileResult:
    """One checked file: where it is, how to show its name, and what was found.

    ``source`` is kept when the run had to read the file anyway; ``text()`` reads it on
    demand otherwise (outputs that quote lines, and fixers, need it).
    """

    path: Path
    display: str
    findings: list[Finding]
    source: bytes | None = None

    def text(self) -> str:
        from ruff_like_rules.engine.analyze import decode

        if self.source is None:
            self.source = self.path.read_bytes()
        try:
            return decode(self.source)
        except (UnicodeDecodeError, SyntaxError, LookupError):
            return self.source.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------- .gitignore


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

    def excluded(self, path: str | Path, directory: Path, is_directory: bool, config: Config) -> bool:
        return config.is_excluded(path) or self.gitignore.ignores(path, directory, is_directory)

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
            if path.is_dir():
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
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                is_directory = entry.is_dir()
            except OSError:
                continue
            if not is_directory and not entry.name.endswith(PYTHON_SUFFIXES):
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


# ---------------------------------------------------------------------------- analysis


def analyze_file(path: Path, settings: AnalysisSettings) -> tuple[str | None, list[Finding]]:
    """Read and analyse one file: (content digest or None if unreadable, findings)."""
    from ruff_like_rules.engine.analyze import analyze_source

    try:
        source = path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return None, [Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, message, Position(1, 0), Position(1, 0))]
    return content_digest(source), analyze_source(source, settings)


@dataclass(frozen=True)
class Task:
    """A file to analyse; ``size`` (bytes) is its expected cost, for balancing workers."""

    path: Path
    settings: AnalysisSettings
    size: int


Outcome = tuple[str | None, list[Finding]]


def _analyze_chunk(chunk: list[Task]) -> list[Outcome]:
    return [analyze_file(task.path, task.settings) for task in chunk]


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork shares the already imported analyzer with the workers; elsewhere use the default
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def balanced_chunks(tasks: list[Task], jobs: int) -> list[list[int]]:
    """Task indices in chunks of similar total size, biggest files first: big files do not
    all land on one worker, and the run does not end waiting for one late giant."""
    budget = max(1, sum(task.size for task in tasks) // (jobs * CHUNKS_PER_JOB))
    chunks: list[list[int]] = []
    current: list[int] = []
    weight = 0
    for index in sorted(range(len(tasks)), key=lambda i: -tasks[i].size):
        current.append(index)
        weight += tasks[index].size
        if weight >= budget or len(current) >= MAX_CHUNK:
            chunks.append(current)
            current, weight = [], 0
    if current:
        chunks.append(current)
    return chunks


def analyze_many(tasks: list[Task], jobs: int) -> list[Outcome]:
    """Outcomes in the order of ``tasks``: in this process for a few, else in a pool."""
    if jobs <= 1 or len(tasks) <= IN_PROCESS_LIMIT:
        return _analyze_chunk(tasks)
    import ruff_like_rules.engine.analyze  # noqa: F401 - imported once here, inherited by forked workers

    chunks = balanced_chunks(tasks, jobs)
    outcomes: list[Outcome | None] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=_pool_context()) as pool:
        for indices, chunk_outcomes in zip(
            chunks, pool.map(_analyze_chunk, [[tasks[i] for i in c] for c in chunks]), strict=True
        ):
            for index, outcome in zip(indices, chunk_outcomes, strict=True):
                outcomes[index] = outcome
    return outcomes  # type: ignore[return-value]  # every index was filled


# ---------------------------------------------------------------------------- a run


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[str, ...] = (".",)
    jobs: int = field(default_factory=available_cores)
    use_cache: bool = True
    force_exclude: bool = False
    stdin_filename: str | None = None


@dataclass
class Runner:
    """Checks files with settings from ``resolver``; results come back sorted by path."""

    resolver: Resolver
    options: RunOptions = RunOptions()

    @cached_property
    def cache(self) -> Cache | None:
        if not self.options.use_cache:
            return None
        return Cache(self.resolver.project_config().cache_directory())

    def display(self, path: Path) -> str:
        return relative_to(path, self.resolver.cwd)

    def check_paths(self) -> list[FileResult]:
        discovery = Discovery(self.resolver, self.options.force_exclude)
        results: list[FileResult] = []
        pending: list[tuple[Candidate, CacheFile | None, str]] = []
        for candidate in discovery.files(self.options.paths):
            cache_file, key = self._cache_slot(candidate)
            cached = self._lookup(candidate, cache_file, key)
            if cached is not None:
                results.append(cached)
            else:
                pending.append((candidate, cache_file, key))
        tasks = [
            Task(c.path, self.resolver.settings_for(c.path), c.stat.st_size if c.stat else 0) for c, _, _ in pending
        ]
        for (candidate, cache_file, key), (digest, findings) in zip(
            pending, analyze_many(tasks, self.options.jobs), strict=True
        ):
            if cache_file is not None and digest is not None and candidate.stat is not None:
                cache_file.put(key, candidate.stat, digest, findings)
            results.append(FileResult(candidate.path, self.display(candidate.path), findings))
        if self.cache is not None:
            self.cache.save()
        return sorted(results, key=lambda r: r.display)

    def _cache_slot(self, candidate: Candidate) -> tuple[CacheFile | None, str]:
        if self.cache is None:
            return None, ""
        config = candidate.config
        return self.cache.file_for(self.resolver.fingerprint(config)), relative_to(candidate.path, config.root)

    def _lookup(self, candidate: Candidate, cache_file: CacheFile | None, key: str) -> FileResult | None:
        if cache_file is None or candidate.stat is None:
            return None
        findings = cache_file.by_stat(key, candidate.stat)
        source = None
        if findings is None:
            try:
                source = candidate.path.read_bytes()
            except OSError:
                return None
            findings = cache_file.by_digest(key, candidate.stat, content_digest(source))
        if findings is None:
            return None
        return FileResult(candidate.path, self.display(candidate.path), findings, source)

    def check_stdin(self, source: bytes) -> list[FileResult]:
        """Check ``source`` as if it were the file named by ``--stdin-filename``."""
        from ruff_like_rules.engine.analyze import analyze_source

        name = self.options.stdin_filename
        path = Path(os.path.normpath(self.resolver.cwd / name)) if name else self.resolver.cwd / STDIN
        if name and self.options.force_exclude and Discovery(self.resolver).excluded_with_parents(path):
            return []
        findings = analyze_source(source, self.resolver.settings_for(path))
        return [FileResult(path, name or STDIN, findings, source)]


# ---------------------------------------------------------------------------- fixing


@dataclass
class FixedFile:
    """What ``--fix`` or ``--diff`` did to one file; ``result`` holds what remains."""

    result: FileResult
    fix: FileFix


def needs_fixing(result: FileResult, unsafe: bool) -> bool:
    from ruff_like_rules.fixes import allowed

    return any(allowed(finding.fix, unsafe) for finding in result.findings)


def fix_result(result: FileResult, settings: AnalysisSettings, *, unsafe: bool, write: bool) -> FixedFile:
    """Fix one checked file (its findings say it has something to fix). Raises ``OSError``
    or ``UnicodeError`` when it cannot be read or written back; the file is then unchanged."""
    from ruff_like_rules.fixes import fix_file

    done = fix_file(result.path, settings, unsafe=unsafe, write=write)
    source = done.data if done.data is not None else result.source
    return FixedFile(FileResult(result.path, result.display, list(done.outcome.remaining), source), done)
