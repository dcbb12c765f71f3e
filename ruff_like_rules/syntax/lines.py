"""The one line table of the tool: lines as Python, libcst and LSP clients count them.

Only ``\\n``, ``\\r\\n`` and ``\\r`` end a line. ``str.splitlines`` also splits at form
feeds, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``, which shifts
every line below such a character: a fix lands on the wrong line, a ``# noqa`` silences
the wrong finding. Everything that turns text into lines or lines into offsets uses these.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """``text`` cut into lines at Python's line breaks only; like ``str.splitlines``,
    no empty last line after a final line break."""
    lines = [match.group() for match in _LINE.finditer(text) if match.end() > match.start()]
    if keepends:
        return lines
    return [line.rstrip("\r\n") if line.endswith(("\n", "\r")) else line for line in lines]


def line_starts(text: str) -> list[int]:
    """The offset each line starts at; the last entry is where a line after the text would start
    (the text's length when it ends in a line break)."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def line_of(text: str, offset: int) -> int:
    """The 1-based line that holds ``offset``."""
    return len(LINE_BREAK.findall(text, 0, offset)) + 1


def offset_of(starts: list[int], line: int, column: int, length: int) -> int:
    """The offset of a 1-based line and 0-based column, clamped to the text (``length``)."""
    if line > len(starts):
        return length
    return min(starts[line - 1] + column, length)


def position_of(starts: list[int], offset: int) -> tuple[int, int]:
    """(1-based line, 0-based column) of ``offset``."""
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index]


def readline(text: str) -> Callable[[], str]:
    """A ``readline`` for ``tokenize`` that cuts ``text`` like the line table
    (``io.StringIO`` would hand a CR-only file over as one line)."""
    return functools.partial(next, iter(split_lines(text, keepends=True)), "")


def patch_lines(text: str) -> list[str]:
    """``text`` cut as ``patch`` and ``git apply`` cut it: at ``\\n`` only, a ``\\r`` before
    it part of the line (a CR-only file is one line to them), for diffs that apply."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
