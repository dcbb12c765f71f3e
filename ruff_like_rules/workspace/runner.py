"""``paraminit check``: find the files, reuse cached results, analyse the rest in parallel.

The run is shaped for speed on large trees: discovery uses ``os.scandir`` (the stat comes
free), a warm run answers from the cache by size and mtime without reading files or
starting workers, and only cache misses are read, hashed and analysed — in this process
when there are few, else in a process pool fed in chunks.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position
from ruff_like_rules.workspace.cache import Cache, CacheFile, content_digest
from ruff_like_rules.workspace.config import ConfigError, Resolver
from ruff_like_rules.workspace.globs import relative_to
from ruff_like_rules.workspace.discovery import Candidate, Discovery
from ruff_like_rules.engine.notebook import Notebook, NotebookError, is_notebook

if TYPE_CHECKING:
    from ruff_like_rules.engine.settings import AnalysisSettings
    from ruff_like_rules.fix.apply import FileFix

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
        """The text the positions count in (a notebook's: its code cells as one Python text)."""
        from ruff_like_rules.engine.analyze import decode, read_source

        if self.source is None:
            self.source = read_source(self.path)
        notebook = self.notebook
        if notebook is not None:
            return notebook.python
        try:
            return decode(self.source)
        except (UnicodeDecodeError, SyntaxError, LookupError):
            return self.source.decode("utf-8", errors="replace")

    @cached_property
    def notebook(self) -> Notebook | None:
        """The notebook this result is of, when it is one and can be read."""
        if not is_notebook(self.path):
            return None
        try:
            if self.source is None:
                from ruff_like_rules.engine.analyze import read_source

                self.source = read_source(self.path)
            return Notebook.parse(self.source)
        except (OSError, NotebookError):
            return None

    def locate(self, position: Position) -> tuple[int | None, Position]:
        """(notebook cell or None, position in it) — for a plain file, (None, position)."""
        notebook = self.notebook
        return notebook.locate(position) if notebook is not None else (None, position)


# ---------------------------------------------------------------------------- analysis

Outcome = tuple[str | None, list[Finding], list[list[object]]]
"""Content digest (None: unreadable), findings, and the stats of the other files consulted."""



def analyze_file(path: Path, settings: AnalysisSettings) -> Outcome:
    """Read and analyse one file: (content digest or None if unreadable, findings, the
    stats of the other files its analysis consulted)."""
    from ruff_like_rules.analysis.project import consulted_stats, project_for
    from ruff_like_rules.engine.analyze import read_source

    try:
        source = read_source(path)
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return None, [Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, message, Position(1, 0), Position(1, 0))], []
    findings = analyze_any(source, settings, path)
    consulted = project_for(settings.options).consulted if settings.project else set()
    return content_digest(source), findings, consulted_stats(consulted - {path.resolve()})


def analyze_any(source: bytes, settings: AnalysisSettings, path: Path | None) -> list[Finding]:
    """A Python file's findings, or a notebook's (positions in its Python text)."""
    from ruff_like_rules.engine.analyze import analyze_source

    if path is None or not is_notebook(path):
        return analyze_source(source, settings, origin=path)
    try:
        notebook = Notebook.parse(source)
    except NotebookError as error:
        return [Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, f"cannot parse file: {error}", Position(1, 0), Position(1, 0))]
    return analyze_source(notebook.python, settings, origin=path) if notebook.python else []


@dataclass(frozen=True)
class Task:
    """A file to analyse; ``size`` (bytes) is its expected cost, for balancing workers."""

    path: Path
    settings: AnalysisSettings
    size: int



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
        for (candidate, cache_file, key), (digest, findings, consulted) in zip(
            pending, analyze_many(tasks, self.options.jobs), strict=True
        ):
            if cache_file is not None and digest is not None and candidate.stat is not None:
                cache_file.put(key, candidate.stat, digest, findings, consulted)
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
            from ruff_like_rules.engine.analyze import read_source

            try:
                source = read_source(candidate.path)
            except OSError:
                return None
            findings = cache_file.by_digest(key, candidate.stat, content_digest(source))
        if findings is None:
            return None
        return FileResult(candidate.path, self.display(candidate.path), findings, source)

    def check_stdin(self, source: bytes) -> list[FileResult]:
        """Check ``source`` as if it were the file named by ``--stdin-filename``."""
        name = self.options.stdin_filename
        path = Path(os.path.normpath(self.resolver.cwd / name)) if name else self.resolver.cwd / STDIN
        try:
            if name and self.options.force_exclude and Discovery(self.resolver).excluded_with_parents(path):
                return []
            settings = self.resolver.settings_for(path)
        except OSError as error:  # a name too long, say: the user's input, not a bug
            raise ConfigError(f"--stdin-filename {name}: {error.strerror or error}") from None
        findings = analyze_any(source, settings, path if name else None)
        return [FileResult(path, name or STDIN, findings, source)]


# ---------------------------------------------------------------------------- fixing


@dataclass
class FixedFile:
    """What ``--fix`` or ``--diff`` did to one file; ``result`` holds what remains."""

    result: FileResult
    fix: FileFix


def needs_fixing(result: FileResult, unsafe: bool) -> bool:
    from ruff_like_rules.fix.apply import allowed

    return any(allowed(finding.fix, unsafe) for finding in result.findings)


def fix_result(result: FileResult, settings: AnalysisSettings, *, unsafe: bool, write: bool) -> FixedFile:
    """Fix one checked file (its findings say it has something to fix). Raises ``OSError``
    or ``UnicodeError`` when it cannot be read or written back; the file is then unchanged."""
    from ruff_like_rules.fix.apply import fix_file

    done = fix_file(result.path, settings, unsafe=unsafe, write=write)
    source = done.data if done.data is not None else result.source
    return FixedFile(FileResult(result.path, result.display, list(done.outcome.remaining), source), done)
