"""How deep a text would nest once parsed, measured from its tokens before parsing.

libcst's native parser recurses per level and overflows its stack (a segmentation fault,
the whole run lost) on a few thousand nested brackets, and its time grows faster than
linearly with long operator or attribute chains; the tree walkers above it recurse too.
So a text is measured first, by one regular-expression scan that skips strings and
comments: bracket nesting (Python itself refuses more than 200 levels) and the length of
the chains that nest in the tree (binary and unary operators, ``and``/``or``/``not``,
conditional expressions, attribute access, implicitly concatenated strings) counted per
bracket level, reset where an element, argument, slice or statement ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BRACKETS = 200
"""CPython's own limit ("too many nested parentheses")."""
MAX_DEPTH = 1000
"""Nesting levels (brackets plus chain links) the analysis accepts; past this, parsing
alone takes seconds and grows quadratically."""

_TOKEN = re.compile(
    r"""
    [ \t\f\v0-9]*+  # skipped without a Python step: blanks and digits
    (?: (?P<string>(?:'''|\"\"\")) | (?P<quote>['"]) | (?P<comment>\#[^\r\n]*)
    | (?P<open>[(\[{]) | (?P<close>[)\]}]) | (?P<reset>[,;:]|(?<![=!<>+\-*/%@&|^~:])=(?!=))
    | (?P<newline>\r\n|\r|\n) | (?P<continuation>\\(?:\r\n|\r|\n))
    | (?P<link>\*\*|//|<<|>>|[-+*/%@&|^~]|\.(?=\s*[^\W\d])) | (?P<word>[^\W\d]\w*) | (?P<other>[\s\S]) | \Z )
    """,
    re.VERBOSE,
)
_LINK_WORDS = frozenset({"and", "or", "not", "if", "else", "await"})
"""Keywords that nest in the tree like operators do."""
_STRING_END = {
    "'''": re.compile(r"(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)"),
    '"""': re.compile(r'(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)'),
    "'": re.compile(r"(?:[^'\\\r\n]|\\[\s\S])*'?"),
    '"': re.compile(r'(?:[^"\\\r\n]|\\[\s\S])*"?'),
}


@dataclass(frozen=True)
class TooDeep:
    """Where and why a text is refused: a 1-based line and the message to report."""

    line: int
    message: str


def too_deep(text: str, first_line: int = 1) -> TooDeep | None:
    """None if ``text`` nests within the limits, else where it first goes past them."""
    levels = [0]  # chain links counted at each open bracket level
    depth = 0  # brackets plus links, over all open levels
    position = 0
    match_token = _TOKEN.match
    end = len(text)
    while position < end:
        match = match_token(text, position)
        kind = match.lastgroup  # type: ignore[union-attr]  # the pattern matches everywhere
        position = match.end()  # type: ignore[union-attr]
        if kind == "string" or kind == "quote":
            position = _STRING_END[match.group(kind)].match(text, position).end()  # type: ignore[union-attr]
            kind = "link"  # adjacent strings concatenate: a chain of their own
        elif kind == "word":
            kind = "link" if match.group(kind) in _LINK_WORDS else None  # type: ignore[union-attr]
        if kind == "link":
            levels[-1] += 1
            depth += 1
        elif kind == "open":
            levels.append(0)
            depth += 1
            if len(levels) - 1 > MAX_BRACKETS:
                return _refusal(text, match.start(), first_line, "too many nested parentheses")
        elif kind == "close" and len(levels) > 1:
            depth -= levels.pop() + 1
        elif kind == "reset" or (kind == "newline" and len(levels) == 1):
            depth -= levels[-1]
            levels[-1] = 0
        if depth > MAX_DEPTH:
            return _refusal(text, match.start(), first_line, f"nested too deeply (over {MAX_DEPTH} levels)")
    return None


def _refusal(text: str, offset: int, first_line: int, message: str) -> TooDeep:
    from ruff_like_rules.syntax.lines import line_of

    return TooDeep(first_line + line_of(text, offset) - 1, message)
