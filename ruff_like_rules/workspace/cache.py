"""A content-keyed results cache, laid out like Ruff's ``.ruff_cache``.

``<cache-dir>/CACHEDIR.TAG`` and ``<cache-dir>/.gitignore`` mark the directory as
disposable; ``<cache-dir>/<version>/<settings-key>.json`` holds, per checked file (path
relative to the settings' root), its size, mtime, content digest, findings and the stats of
the other files its analysis consulted (bases found by the project index: a change to one of
them is a miss); entries and files unused for 30 days are dropped. The
settings key hashes the tool version, the analyzer's own source files and the resolved
settings, so any change to them starts a fresh file. A file whose size and mtime are
unchanged is a hit without being read; otherwise its content digest decides.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by paraminit.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
RACY_SECONDS = 2.0
"""A file modified this close to the cache write may change again within one mtime tick:
its stat is not trusted next time, only its digest (git's "racily clean" rule)."""
FORGET_AFTER_DAYS = 30


@cache
def tool_version() -> str:
    try:
        return metadata.version("pytest-paraminit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@cache
def code_fingerprint() -> str:
    """Stat of the analyzer's own modules: an editable install that changes invalidates."""
    package = Path(__file__).resolve().parent.parent  # all of ruff_like_rules, not only workspace/
    digest = hashlib.blake2b(tool_version().encode(), digest_size=16)
    for module in sorted(package.rglob("*.py")):
        stat = module.stat()
        digest.update(f"{module.relative_to(package)}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def settings_key(settings_repr: str) -> str:
    return hashlib.blake2b(f"{code_fingerprint()}\0{settings_repr}".encode(), digest_size=16).hexdigest()


def _position(data: list[int]) -> Position:
    return Position(data[0], data[1])


def finding_to_data(finding: Finding) -> list[Any]:
    fix = finding.fix
    fix_data = None
    if fix is not None:
        edits = [[e.start.line, e.start.column, e.end.line, e.end.column, e.content] for e in fix.edits]
        fix_data = [fix.message, fix.applicability.value, edits]
    start, end = finding.start, finding.end
    return [finding.code, finding.name, finding.message, start.line, start.column, end.line, end.column, fix_data]


def finding_from_data(data: list[Any]) -> Finding:
    code, name, message, line, column, end_line, end_column, fix_data = data
    _require((code, name, message), str)
    _require((line, column, end_line, end_column), int)
    fix = None
    if fix_data is not None:
        fix_message, applicability, edits = fix_data
        _require((fix_message, *(e[4] for e in edits)), str)
        _require([n for e in edits for n in e[:4]], int)
        fix = Fix(
            fix_message,
            tuple(Edit(Position(a, b), Position(c, d), content) for a, b, c, d, content in edits),
            Applicability(applicability),
        )
    return Finding(code, name, message, Position(line, column), Position(end_line, end_column), fix)


def _require(values: Any, kind: type) -> None:
    if not all(isinstance(value, kind) for value in values):
        raise TypeError(f"a cached value is not {kind.__name__}")


@dataclass
class CacheFile:
    """The entries of one settings key:
    ``relative path -> [mtime_ns, size, digest, day, findings, [[other path, mtime_ns, size]...]]``."""

    path: Path
    entries: dict[str, list[Any]] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def load(cls, path: Path) -> CacheFile:
        try:
            entries = json.loads(path.read_bytes())
        except (OSError, ValueError):
            entries = {}  # missing or damaged: start afresh
        if not isinstance(entries, dict):
            return cls(path, {}, dirty=True)
        valid = {key: entry for key, entry in entries.items() if _valid_entry(entry)}
        return cls(path, valid, dirty=len(valid) != len(entries))  # what did not validate is rewritten

    def by_stat(self, key: str, stat: os.stat_result) -> list[Finding] | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size or _moved(entry):
            return None
        findings = self._findings(key, entry)
        if findings is not None:
            self._touch(entry)
        return findings

    def by_digest(self, key: str, stat: os.stat_result, digest: str) -> list[Finding] | None:
        entry = self.entries.get(key)
        if entry is None or entry[2] != digest or _moved(entry):
            return None
        findings = self._findings(key, entry)
        if findings is not None:
            self.store(key, stat, digest, entry[4], entry[5])
        return findings

    def _findings(self, key: str, entry: list[Any]) -> list[Finding] | None:
        """The entry's findings; None (and the entry dropped) when they do not decode."""
        try:
            return [finding_from_data(item) for item in entry[4]]
        except (TypeError, ValueError, KeyError, AttributeError):
            del self.entries[key]
            self.dirty = True
            return None

    def put(
        self, key: str, stat: os.stat_result, digest: str, findings: list[Finding], consulted: list[list[Any]]
    ) -> None:
        self.store(key, stat, digest, [finding_to_data(f) for f in findings], consulted)

    def store(
        self, key: str, stat: os.stat_result, digest: str, findings_data: list[Any], consulted: list[list[Any]]
    ) -> None:
        racy = time.time() - stat.st_mtime < RACY_SECONDS
        # a consulted file as racy as this one is kept with an mtime that never matches
        now = time.time()
        kept = [[p, -1 if now - m / 1e9 < RACY_SECONDS else m, s] for p, m, s in consulted]
        self.entries[key] = [-1 if racy else stat.st_mtime_ns, stat.st_size, digest, _today(), findings_data, kept]
        self.dirty = True

    def _touch(self, entry: list[Any]) -> None:
        today = _today()
        if entry[3] != today:
            entry[3] = today
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        oldest = _today() - FORGET_AFTER_DAYS
        entries = {key: entry for key, entry in self.entries.items() if entry[3] >= oldest}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # write aside, then rename: a concurrent run reads the old file or the new, never half
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(entries, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
        self.dirty = False


def _moved(entry: list[Any]) -> bool:
    """Whether a file the entry's analysis consulted changed or went away since."""
    for path, mtime, size in entry[5]:
        try:
            stat = os.stat(path)
        except OSError:
            return True
        if stat.st_mtime_ns != mtime or stat.st_size != size:
            return True
    return False


def _valid_entry(entry: Any) -> bool:
    """``[mtime_ns, size, digest, day, findings, consulted]`` with those types (findings decode on use)."""
    return (
        isinstance(entry, list)
        and len(entry) == 6
        and all(isinstance(value, int) and not isinstance(value, bool) for value in (entry[0], entry[1], entry[3]))
        and isinstance(entry[2], str)
        and isinstance(entry[4], list)
        and isinstance(entry[5], list)
        and all(
            isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in item[1:])
            for item in entry[5]
        )
    )


def _today() -> int:
    return int(time.time() // 86400)


@dataclass
class Cache:
    """All cache files of one run, under one cache directory, by settings fingerprint."""

    directory: Path
    files: dict[str, CacheFile] = field(default_factory=dict)

    def file_for(self, settings_repr: str) -> CacheFile:
        cache_file = self.files.get(settings_repr)
        if cache_file is None:
            key = settings_key(settings_repr)
            cache_file = CacheFile.load(self.directory / tool_version() / f"{key}.json")
            self.files[settings_repr] = cache_file
        return cache_file

    def save(self) -> None:
        """Write what changed; a cache that cannot be written only costs speed next time."""
        if not any(f.dirty for f in self.files.values()):
            return
        try:
            self._mark_directory()
            for cache_file in self.files.values():
                cache_file.save()
            self._forget_stale_files()
        except OSError:
            pass

    def _forget_stale_files(self) -> None:
        """Drop the files of settings (or analyzer code) unused for a month: each change of
        either starts a new file, and nothing else would ever remove the old ones."""
        oldest = time.time() - FORGET_AFTER_DAYS * 86400
        for stale in (self.directory / tool_version()).glob("*.json"):
            if stale.stat().st_mtime < oldest:
                stale.unlink()

    def _mark_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG, encoding="utf-8")
        gitignore = self.directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# Automatically created by paraminit.\n*\n", encoding="utf-8")


def clean(directory: Path) -> bool:
    """Remove a cache directory; False when there was none."""
    if not directory.is_dir():
        return False
    shutil.rmtree(directory)
    return True
