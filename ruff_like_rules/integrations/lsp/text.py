"""Document text as an editor sees it: LSP lines and columns, and the edits the server offers.

Findings count columns in code points of lines split like libcst splits them; LSP clients
count in UTF-16 code units (or UTF-8/UTF-32 if negotiated) and split lines only at
``\\n``, ``\\r\\n`` and ``\\r`` (``str.splitlines`` would also split at form feeds and
``\\u2028``, shifting every line below). Nothing here imports pygls: the server hands
in a ``units`` function that counts a string in the negotiated encoding.
"""

from __future__ import annotations

import bisect
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

from ruff_like_rules.engine.diagnostics import Edit, Position
from ruff_like_rules.engine.noqa import LINE_NOQA
from ruff_like_rules.syntax.lines import line_starts, readline


Units = Callable[[str], int]
"""How many code units of the client's position encoding a string takes."""


class LineIndex:
    """Line starts of one text, for converting between offsets, our positions and the client's."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its line break; "" past the end."""
        if not 1 <= number <= len(self.starts):
            return ""
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.text[self.starts[number - 1] : end].rstrip("\r\n")

    def position_at(self, offset: int) -> Position:
        index = bisect.bisect_right(self.starts, offset) - 1
        return Position(index + 1, offset - self.starts[index])

    def to_client(self, position: Position, units: Units) -> tuple[int, int]:
        """(line, character) for LSP: 0-based line, column in the client's code units."""
        if position.line > len(self.starts):
            last = len(self.starts)
            return last - 1, units(self.line(last))
        return position.line - 1, units(self.line(position.line)[: position.column])

    def from_client(self, line: int, character: int, units: Units) -> Position:
        """Our position for an LSP (line, character); a character past the end clamps to it."""
        text = self.line(line + 1)
        counted = 0
        for column, char in enumerate(text):
            if counted >= character:
                return Position(line + 1, column)
            counted += units(char)
        return Position(line + 1, len(text))


@dataclass(frozen=True)
class _Comment:
    column: int
    text: str


class Comments:
    """Where the comments of a text are, and after which lines a comment may be written.

    A line that ends inside a string or with a backslash continuation takes no comment:
    ``# noqa`` written there would change a string, or break the code.
    """

    def __init__(self, text: str) -> None:
        self.by_line: dict[int, _Comment] = {}
        self.open_lines: set[int] = set()
        try:
            for token in tokenize.generate_tokens(readline(text)):
                if token.type == tokenize.COMMENT:
                    self.by_line[token.start[0]] = _Comment(token.start[1], token.string)
                elif token.type in (tokenize.NEWLINE, tokenize.NL):
                    self.open_lines.add(token.start[0])
        except (tokenize.TokenError, SyntaxError):
            self.by_line.clear()
            self.open_lines.clear()  # unknown structure: offer no comment edits at all


def noqa_edit(lines: LineIndex, comments: Comments, line: int, code: str) -> Edit | None:
    """The edit that makes line ``line`` suppress ``code``: ``# noqa: CODE`` added at its end,
    or ``CODE`` appended to the line's existing ``# noqa:`` list. None when the line takes no
    comment, or already suppresses every code."""
    comment = comments.by_line.get(line)
    if comment is not None:
        match = LINE_NOQA.search(comment.text)
        if match is not None:
            if match.group("codes") is None:
                return None
            at = Position(line, comment.column + match.end("codes"))
            return Edit(at, at, f", {code}")
    elif line not in comments.open_lines:
        return None
    text = lines.line(line)
    content_end = len(text.rstrip())
    return Edit(Position(line, content_end), Position(line, len(text)), f"  # noqa: {code}")


def _common_prefix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:  # bisect on slice comparisons: memcmp speed, no Python loop per character
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def replacement_edit(lines: LineIndex, new: str) -> Edit | None:
    """One edit turning ``lines.text`` into ``new``, trimmed to the part that changed (the
    editor keeps its cursor and folds elsewhere); None when nothing changed."""
    old = lines.text
    if old == new:
        return None
    prefix = _common_prefix(old, new, min(len(old), len(new)))
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    if 0 < prefix < len(old) and old[prefix - 1] == "\r" and old[prefix] == "\n":
        prefix -= 1  # never cut a \r\n in two: the position between them does not exist
    end = len(old) - suffix
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        suffix -= 1
        end += 1
    return Edit(lines.position_at(prefix), lines.position_at(end), new[prefix : len(new) - suffix])
