"""Honour suppression comments the way Ruff and flake8 users write them.

``# noqa`` / ``# noqa: PIN001, PIN002`` on the line where a finding starts silences it;
``# paraminit: noqa`` (optionally ``: PIN001``) on a line of its own silences the whole file.
Only real comments count, so the text is tokenized — but only for files that have findings
and mention "noqa" at all, which keeps the common path a substring test.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, Finding
from ruff_like_rules.syntax.lines import readline, split_lines

_CODES = r"(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)"
LINE_NOQA = re.compile(rf"#\s*noqa(?::\s*{_CODES})?", re.IGNORECASE)
_FILE_NOQA = re.compile(rf"#\s*paraminit\s*:\s*noqa(?::\s*{_CODES})?", re.IGNORECASE)

ALL_CODES = None
"""A directive value meaning "every code" (a bare ``# noqa``)."""


@dataclass(frozen=True)
class Directives:
    """What the comments of one file suppress: per line, and for the whole file."""

    lines: dict[int, frozenset[str] | None]
    file: frozenset[str] | None  # empty: no file-level directive

    def suppresses(self, finding: Finding) -> bool:
        if finding.code == PARSE_ERROR_CODE:
            return False
        if self.file is ALL_CODES or finding.code in self.file:
            return True
        if finding.start.line not in self.lines:
            return False
        codes = self.lines[finding.start.line]
        return codes is ALL_CODES or finding.code in codes


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("codes")
    if raw is None:
        return ALL_CODES
    return frozenset(code.upper() for code in re.split(r"[\s,]+", raw.strip()))


def _comments(text: str) -> Iterable[tuple[int, str, bool]]:
    """Yield (line, comment, stands_alone) for each comment token of ``text``.

    If the text does not tokenize (syntax newer than this interpreter), fall back to the
    text from each line's first ``#``: a rare file may then honour a ``# noqa`` in a string.
    """
    try:
        for token in tokenize.generate_tokens(readline(text)):
            if token.type == tokenize.COMMENT:
                alone = token.line[: token.start[1]].strip() == ""
                yield token.start[0], token.string, alone
    except (tokenize.TokenError, SyntaxError):
        for number, line in enumerate(split_lines(text), start=1):
            hash_at = line.find("#")
            if hash_at >= 0:
                yield number, line[hash_at:], line[:hash_at].strip() == ""


def parse_directives(text: str) -> Directives:
    lines: dict[int, frozenset[str] | None] = {}
    file_codes: frozenset[str] | None = frozenset()
    for line, comment, alone in _comments(text):
        if "noqa" not in comment.lower():
            continue
        file_match = _FILE_NOQA.match(comment)
        if file_match is not None:
            if alone:
                codes = _codes(file_match)
                file_codes = ALL_CODES if codes is ALL_CODES or file_codes is ALL_CODES else file_codes | codes
            continue
        line_match = LINE_NOQA.search(comment)
        if line_match is not None:
            lines[line] = _codes(line_match)
    return Directives(lines=lines, file=file_codes)


def filter_suppressed(findings: list[Finding], text: str) -> list[Finding]:
    """Drop the findings that a ``noqa`` comment in ``text`` silences."""
    if not findings or "noqa" not in text.lower():
        return findings
    directives = parse_directives(text)
    return [finding for finding in findings if not directives.suppresses(finding)]
