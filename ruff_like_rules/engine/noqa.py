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

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.syntax.lines import readline, split_lines

_CODES = r"(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)"
LINE_NOQA = re.compile(rf"#\s*noqa(?P<colon>:\s*{_CODES}?)?", re.IGNORECASE)
"""``# noqa`` (every code), ``# noqa: A1, B2``; a colon with no code after it (``# noqa: foo``)
is an invalid directive, which suppresses nothing (as in Ruff)."""
_FILE_NOQA = re.compile(rf"#\s*paraminit\s*:\s*noqa(?::\s*{_CODES})?", re.IGNORECASE)
UNUSED_NOQA_CODE = "PIN100"
UNUSED_NOQA_NAME = "unused-noqa"

ALL_CODES = None
"""A directive value meaning "every code" (a bare ``# noqa``)."""


@dataclass(frozen=True)
class LineDirective:
    """A ``# noqa`` after code: where it is (0-based columns of the directive text) and its
    codes as written (None: a bare ``# noqa``; empty: invalid, nothing after the colon)."""

    line: int
    start: int
    end: int
    codes: tuple[str, ...] | None
    trailing: str  # what the comment goes on with after the directive

    def covers(self, code: str) -> str | None:
        """The code of this directive that suppresses ``code`` (codes are prefixes, as in flake8)."""
        if self.codes is None:
            return code
        return next((c for c in self.codes if code.startswith(c.upper())), None)


@dataclass(frozen=True)
class Directives:
    """What the comments of one file suppress: per line, and for the whole file."""

    lines: dict[int, LineDirective]
    file: frozenset[str] | None  # empty: no file-level directive

    def suppresses(self, finding: Finding) -> bool:
        if finding.code in (PARSE_ERROR_CODE, UNUSED_NOQA_CODE):
            return False
        if self.file is ALL_CODES or finding.code.startswith(tuple(self.file)):
            return True
        directive = self.lines.get(finding.start.line)
        return directive is not None and directive.covers(finding.code) is not None


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("codes")
    if raw is None:
        return ALL_CODES
    return frozenset(code.upper() for code in re.split(r"[\s,]+", raw.strip()))


def _comments(text: str) -> Iterable[tuple[int, int, str, bool]]:
    """Yield (line, column, comment, stands_alone) for each comment token of ``text``.

    If the text does not tokenize (syntax newer than this interpreter), fall back to the
    text from each line's first ``#``: a rare file may then honour a ``# noqa`` in a string.
    """
    try:
        for token in tokenize.generate_tokens(readline(text)):
            if token.type == tokenize.COMMENT:
                alone = token.line[: token.start[1]].strip() == ""
                yield token.start[0], token.start[1], token.string, alone
    except (tokenize.TokenError, SyntaxError):
        for number, line in enumerate(split_lines(text), start=1):
            hash_at = line.find("#")
            if hash_at >= 0:
                yield number, hash_at, line[hash_at:], line[:hash_at].strip() == ""


def parse_directives(text: str) -> Directives:
    lines: dict[int, LineDirective] = {}
    file_codes: frozenset[str] | None = frozenset()
    for line, column, comment, alone in _comments(text):
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
            raw = line_match.group("codes")
            codes = None if line_match.group("colon") is None else tuple(re.split(r"[\s,]+", raw.strip())) if raw else ()
            lines[line] = LineDirective(line, column + line_match.start(), column + line_match.end(), codes,
                                        comment[line_match.end():])
    return Directives(lines=lines, file=file_codes)


def filter_suppressed(findings: list[Finding], text: str) -> list[Finding]:
    """Drop the findings that a ``noqa`` comment in ``text`` silences."""
    if not findings or "noqa" not in text.lower():
        return findings
    directives = parse_directives(text)
    return [finding for finding in findings if not directives.suppresses(finding)]


def unused_directives(findings: list[Finding], text: str, enabled: Iterable[str]) -> list[Finding]:
    """PIN100: each code of a ``# noqa: CODES`` that suppresses no finding on its line, among
    the codes of rules enabled in this run (a code of a rule not run may be needed by another
    run; another linter's codes are its business); and each invalid ``# noqa:``, which
    suppresses nothing. ``findings`` are the findings before suppression."""
    if "noqa" not in text.lower():
        return []
    enabled = tuple(enabled)
    directives = parse_directives(text)
    used: dict[int, set[str]] = {}
    for finding in findings:
        directive = directives.lines.get(finding.start.line)
        code = directive.covers(finding.code) if directive is not None else None
        if code is not None and finding.code not in (PARSE_ERROR_CODE, UNUSED_NOQA_CODE):
            used.setdefault(finding.start.line, set()).add(code)
    lines = split_lines(text)
    out: list[Finding] = []
    for directive in directives.lines.values():
        start, end = Position(directive.line, directive.start), Position(directive.line, directive.end)
        if directive.codes == ():
            message = ("Invalid `# noqa` directive: expected rule codes after `noqa:` (such as "
                       "`# noqa: PIN001`); it suppresses nothing")
            out.append(Finding(UNUSED_NOQA_CODE, UNUSED_NOQA_NAME, message, start, end))
            continue
        unused = [
            code for code in directive.codes or ()
            if code not in used.get(directive.line, ()) and any(rule.startswith(code.upper()) for rule in enabled)
        ]
        if unused:
            message = f"Unused `noqa` directive (unused: {', '.join(f'`{code}`' for code in unused)})"
            out.append(Finding(UNUSED_NOQA_CODE, UNUSED_NOQA_NAME, message, start, end,
                               _removal(directive, unused, lines[directive.line - 1])))
    return out


def _removal(directive: LineDirective, unused: list[str], line: str) -> Fix | None:
    """The safe fix: drop the unused codes, or the whole directive when none is left (and
    nothing follows it in the comment); None when other text of the comment is in the way."""
    start, end = Position(directive.line, directive.start), Position(directive.line, directive.end)
    kept = [code for code in directive.codes or () if code not in unused]
    if kept:
        return Fix("Remove the unused codes", (Edit(start, end, f"# noqa: {', '.join(kept)}"),), Applicability.SAFE)
    if directive.trailing.strip():
        return None
    cut = Edit(Position(directive.line, len(line[: directive.start].rstrip())), Position(directive.line, len(line)), "")
    return Fix("Remove the unused `noqa` directive", (cut,), Applicability.SAFE)
