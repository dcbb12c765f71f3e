"""What PIN000 says about a text that cannot be parsed, and where.

Two wordings, one line each: ``syntax error at L:C: <what Python says>`` (1-based line and
column) for a text Python's own parser refuses, and ``cannot parse file: <reason>`` for
the other causes (NUL bytes, bytes that do not decode, nesting too deep to analyse).
libcst's own messages are a poor guide (a dump of every token it expected, often at the
end of the file), so Python's parser is asked for the message and the place; libcst's
message is used, cleaned, only where Python accepts what libcst refuses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from ruff_like_rules.syntax.lines import line_of, line_starts, split_lines

_LIBCST_PREFIX = re.compile(r"^(?:tokenizer error|parser error): (?:error at \d+:\d+: )?")


@dataclass(frozen=True)
class Unparsable:
    """Why a text cannot be analysed: the one-line message, a 1-based line, a 0-based column."""

    message: str
    line: int
    column: int


def cannot_parse(reason: str, line: int = 1, column: int = 0) -> Unparsable:
    """A cause other than a syntax error, in the one wording for those."""
    return Unparsable(f"cannot parse file: {_one_line(reason)}", line, column)


def nul_byte(text: str) -> Unparsable | None:
    """Python refuses source with a NUL byte anywhere, even in a comment or a string."""
    offset = text.find("\x00")
    if offset < 0:
        return None
    line = line_of(text, offset)
    return cannot_parse("source contains a NUL byte", line, offset - line_starts(text)[line - 1])


def python_syntax_error(text: str) -> Unparsable | None:
    """Python's own syntax error for ``text``, if its parser refuses it (no code is run)."""
    try:
        compile(text, "<file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        line = max(error.lineno or 1, 1)
        column = max((error.offset or 1) - 1, 0)
        return _syntax_error(error.msg or "invalid syntax", line, column)
    except (ValueError, MemoryError, RecursionError) as error:  # NUL bytes, or too much to build
        return cannot_parse(str(error) or type(error).__name__)
    return None


def syntax_error(text: str, error: cst.ParserSyntaxError) -> Unparsable:
    """Why libcst refused ``text``: in Python's words and place where Python refuses it too."""
    refusal = nul_byte(text) or python_syntax_error(text)
    if refusal is not None:
        return refusal
    message = _LIBCST_PREFIX.sub("", _one_line(str(error.message or "")))
    if not message or message.startswith("expected one of"):
        message = "invalid syntax"
    return _syntax_error(f"{message} (Python accepts this; paraminit's parser, libcst, does not)", error.raw_line, error.raw_column)


def _syntax_error(message: str, line: int, column: int) -> Unparsable:
    return Unparsable(f"syntax error at {line}:{column + 1}: {_one_line(message)}", line, column)


def _one_line(message: str) -> str:
    lines = [line.strip() for line in split_lines(message) if line.strip()]
    return lines[0] if lines else "invalid syntax"
