"""Applying fixes: text edits over positions, the fix-analyse loop, and safe writes.

A fix is applied whole or not at all, never overlapping another one taken in the same
pass; after each pass the text is analysed again, so fixes that had to wait, and
findings a fix revealed, get their turn, up to a fixed point. A pass whose result would
not parse is refused, fix by fix, and never written. Files are written back in their
own encoding, BOM and line endings, through a temporary file in the same directory
renamed over the original, so an interrupted run leaves the old file or the new one.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import re
import stat
import tempfile
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from ruff_like_rules.engine.analyze import analyze_source, read_source
from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.engine.notebook import Notebook, is_notebook
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.syntax.lines import line_starts, offset_of


@dataclass(frozen=True)
class _Offsets:
    """Text positions as offsets, by the tool's one line table (only CR, LF and CRLF end a line)."""

    starts: list[int]
    length: int

    @classmethod
    def of(cls, text: str) -> _Offsets:
        return cls(line_starts(text), len(text))

    def __call__(self, position: Position) -> int:
        return offset_of(self.starts, position.line, position.column, self.length)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits from last to first; an edit overlapping one already taken is skipped,
    and an edit equal to one already taken is applied once."""
    offset = _Offsets.of(text)
    spans = sorted({(offset(e.start), offset(e.end), e.content) for e in edits}, reverse=True)
    result = text
    lowest = len(text) + 1
    for start, end, content in spans:
        if end > lowest:
            continue
        result = result[:start] + content + result[end:]
        lowest = start
    return result


def allowed(fix: Fix | None, unsafe: bool) -> bool:
    """Whether ``fix`` may be applied (and shown as fixable): unsafe ones only when asked."""
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


# ---------------------------------------------------------------------------- the fix loop


@dataclass(frozen=True)
class FixOutcome:
    text: str
    """The fixed source (unchanged when nothing applied)."""
    applied: tuple[Finding, ...]
    """Findings whose fixes were applied, across passes."""
    remaining: tuple[Finding, ...]
    """Findings left in the fixed text."""
    dropped: tuple[tuple[Finding, str], ...]
    """Fixes refused, each with why (for example: the result would not parse)."""


def _ranges(offset: _Offsets, fix: Fix) -> list[tuple[int, int, str]]:
    return [(offset(e.start), offset(e.end), e.content) for e in fix.edits]


def _conflicts(edit: tuple[int, int, str], taken: Sequence[tuple[int, int, str]]) -> bool:
    """Overlap with an edit already taken; two insertions at one point conflict unless equal."""
    start, end, _ = edit
    for other in taken:
        if other == edit:
            continue
        other_start, other_end, _ = other
        if start < other_end and other_start < end:
            return True
        if start == end == other_start == other_end or (start == end and other_start < start < other_end):
            return True
        if other_start == other_end and start < other_start < end:
            return True
    return False


def _compatible(text: str, fixes: Sequence[tuple[Finding, Fix]]) -> list[tuple[Finding, Fix]]:
    """The fixes of one pass: in source order, each taken if none of its edits conflicts
    with an edit already taken (equal edits, such as one added import, are shared)."""
    chosen: list[tuple[Finding, Fix]] = []
    taken: list[tuple[int, int, str]] = []
    offset = _Offsets.of(text)
    for finding, fix in sorted(fixes, key=lambda item: (min(e.start for e in item[1].edits), item[0].start)):
        ranges = _ranges(offset, fix)
        if any(_conflicts(edit, taken) for edit in ranges):
            continue
        chosen.append((finding, fix))
        taken.extend(ranges)
    return chosen


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:
        return False
    return True


UNPARSABLE = "the fixed code would not parse"


def fix_source(
    text: str,
    settings: AnalysisSettings,
    *,
    unsafe: bool = False,
    max_iterations: int = 10,
    origin: Path | None = None,
) -> FixOutcome:
    """Apply every allowed fix, re-analysing after each pass, until nothing is left to
    fix or ``max_iterations`` passes ran. Running it again on its result changes nothing."""
    applied: list[Finding] = []
    dropped: dict[tuple[Finding, str], None] = {}
    refused: set[tuple[str, tuple[Edit, ...]]] = set()
    findings = analyze_source(text, settings, origin=origin, for_fixing=True)
    for _ in range(max_iterations):
        fixes = [
            (f, f.fix)
            for f in findings
            if allowed(f.fix, unsafe) and f.fix is not None and f.fix.edits and (f.code, f.fix.edits) not in refused
        ]
        chosen = _compatible(text, fixes)
        if not chosen:
            break
        fixed = apply_edits(text, [e for _, fix in chosen for e in fix.edits])
        if not _parses(fixed):
            # find the culprits alone; the rest is applied without them
            for finding, fix in chosen:
                if not _parses(apply_edits(text, fix.edits)):
                    dropped[(finding, UNPARSABLE)] = None
                    refused.add((finding.code, fix.edits))
            chosen = [(f, fix) for f, fix in chosen if (f.code, fix.edits) not in refused]
            fixed = apply_edits(text, [e for _, fix in chosen for e in fix.edits])
            if not chosen or not _parses(fixed):  # each parses alone but not together: one per pass
                chosen = chosen[:1]
                fixed = apply_edits(text, chosen[0][1].edits) if chosen else text
            if not chosen:
                continue
        if fixed == text:
            break
        applied.extend(f for f, _ in chosen)
        text = fixed
        findings = analyze_source(text, settings, origin=origin, for_fixing=True)
    # a refused fix is not offered again: the hint must not count it as fixable
    remaining = tuple(
        dataclasses.replace(f, fix=None) if f.fix is not None and (f.code, f.fix.edits) in refused else f
        for f in findings
    )
    return FixOutcome(text, tuple(applied), remaining, tuple(dropped))


# ---------------------------------------------------------------------------- files


@dataclass(frozen=True)
class SourceFile:
    """A Python file's text and how to write it back byte for byte the same way."""

    text: str
    encoding: str  # as Python detected it: a BOM gives "utf-8-sig", a coding cookie its codec

    @classmethod
    def decode(cls, data: bytes) -> SourceFile:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return cls(data.decode(encoding), encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


_TEMPORARY_SUFFIX = ".paraminit-tmp"


def _process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` exists; signal 0 only asks (on Windows it would send Ctrl-C, so never)."""
    if os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to someone else
        return False
    return False


# A temporary's name: ``.<file name>.<pid of the writer>.<mkstemp's 8 characters><suffix>``.
_TEMPORARY_NAME = re.compile(rf"\..+\.(?P<pid>\d+)\.[a-z0-9_]{{8}}{re.escape(_TEMPORARY_SUFFIX)}")


@functools.cache
def remove_orphaned_temporaries(directory: Path) -> None:
    """Remove the temporaries that runs killed between writing and renaming left in ``directory``.

    Each temporary names the process that made it: one whose process is gone can never be
    renamed, and a live run's temporary (another ``--fix`` at the same time) is left alone.
    Once per directory and process, so fixing many files of one directory stays linear.
    """
    try:
        names = [entry.name for entry in os.scandir(directory)]
    except OSError:
        return
    for name in names:
        match = _TEMPORARY_NAME.fullmatch(name)
        if match and _process_is_gone(int(match["pid"])):
            try:
                os.unlink(directory / name)
            except OSError:
                pass


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file in the same directory, keeping
    the file's mode: readers and an interrupted run see the old file or the new one."""
    path = path.resolve()  # through a symlink to the file itself: the link stays a link
    mode = stat.S_IMODE(path.stat().st_mode)
    remove_orphaned_temporaries(path.parent)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class FileFix:
    """What fixing one file did: its text before, the outcome (with the text after), the bytes written."""

    before: str
    outcome: FixOutcome
    data: bytes | None
    """The new content, encoded like the original; None when nothing changed."""


def fix_file(path: Path, settings: AnalysisSettings, *, unsafe: bool, write: bool) -> FileFix:
    """Fix one file; with ``write``, write the result (atomically) when it changed.

    Raises ``OSError`` when the file cannot be read or written, ``UnicodeError`` when the
    fixed text cannot be encoded back, ``NotebookError`` when a notebook cannot be read or
    its fixed cells cannot be put back (the file is then left as it was).
    """
    raw = read_source(path)
    if is_notebook(path):  # the cells' Python text is fixed, and written back into the notebook
        notebook = Notebook.parse(raw)
        outcome = fix_source(notebook.python, settings, unsafe=unsafe, origin=path)
        data = notebook.with_python(outcome.text) if outcome.text != notebook.python else None
        before = notebook.python
    else:
        source = SourceFile.decode(raw)
        outcome = fix_source(source.text, settings, unsafe=unsafe, origin=path)
        data = source.encode(outcome.text) if outcome.text != source.text else None
        before = source.text
    if write and data is not None:
        write_atomically(path, data)
    return FileFix(before, outcome, data)
