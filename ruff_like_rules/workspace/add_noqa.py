"""``paraminit check --add-noqa``: a ``# noqa: CODE`` on every line with a finding, for
adopting the tool on a large code base; existing directives get the missing codes."""

from __future__ import annotations

import tokenize
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE
from ruff_like_rules.engine.noqa import UNUSED_NOQA_CODE, parse_directives
from ruff_like_rules.engine.notebook import is_notebook
from ruff_like_rules.fix.apply import SourceFile, write_atomically
from ruff_like_rules.syntax.lines import readline, split_lines

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def commentable_lines(text: str) -> set[int]:
    """Lines whose end is outside any string and not a backslash continuation: a comment fits there."""
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(readline(text)):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return set()
    return lines


def with_noqa(text: str, codes_by_line: dict[int, list[str]]) -> tuple[str, int]:
    """``text`` with the codes added to each line's directive; (new text, lines changed)."""
    directives = parse_directives(text).lines
    open_lines = commentable_lines(text)
    lines = split_lines(text, keepends=True)
    changed = 0
    for number, codes in codes_by_line.items():
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        directive = directives.get(number)
        if directive is not None:
            if not directive.codes:  # a bare `# noqa` already covers it; an invalid one is the user's to mend
                continue
            missing = [code for code in codes if directive.covers(code) is None]
            if not missing:
                continue
            body = body[: directive.end] + ", " + ", ".join(missing) + body[directive.end:]
        elif number in open_lines:
            body = f"{body.rstrip()}  # noqa: {', '.join(codes)}"
        else:
            continue
        lines[number - 1] = body + ending
        changed += 1
    return "".join(lines), changed


def add_noqa(results: Sequence[FileResult]) -> int:
    """Add the directives to the files of ``results``; how many lines were changed.
    Notebooks and files that cannot be checked are left alone."""
    total = 0
    for result in results:
        codes: dict[int, list[str]] = defaultdict(list)
        for finding in result.findings:
            if finding.code not in (PARSE_ERROR_CODE, UNUSED_NOQA_CODE) and finding.code not in codes[finding.start.line]:
                codes[finding.start.line].append(finding.code)
        codes = {line: found for line, found in codes.items() if found}
        if not codes or is_notebook(result.path):
            continue
        source = SourceFile.decode(result.source if result.source is not None else result.path.read_bytes())
        text, changed = with_noqa(source.text, codes)
        if changed:
            write_atomically(result.path, source.encode(text))
            total += changed
    return total
