"""``full`` (the default): each finding's header, then its source line with the range
underlined, and the fix's message as help — the way Ruff shows a diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ruff_like_rules.engine.diagnostics import Finding
from ruff_like_rules.output.concise import header
from ruff_like_rules.output.style import BLUE, BOLD, CYAN, RED, Painter
from ruff_like_rules.syntax.lines import split_lines

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def snippet(lines: list[str], finding: Finding, paint: Painter, shown: int | None = None) -> list[str]:
    """The finding's first line with carets under its range (to the line end if it goes on);
    ``shown`` is the line number to print (a notebook's counts within the cell)."""
    number = finding.start.line
    if not 1 <= number <= len(lines):
        return []
    label = str(shown if shown is not None else number)
    line = lines[number - 1].rstrip("\r\n")
    start = min(finding.start.column, len(line))
    end = finding.end.column if finding.end.line == number else len(line)
    width = max(1, min(end, len(line)) - start)
    indent = "".join(char if char == "\t" else " " for char in line[:start])
    gutter = " " * len(label)
    bar = paint("|", BLUE, BOLD)
    return [
        f"{gutter} {bar}",
        f"{paint(label, BLUE, BOLD)} {bar} {line}",
        f"{gutter} {bar} {indent}{paint('^' * width + ' ' + finding.code, RED, BOLD)}",
        f"{gutter} {bar}",
    ]


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    paint = Painter(color)
    for result in results:
        if not result.findings:
            continue
        try:
            lines = split_lines(result.text())
        except OSError:
            lines = []
        for finding in result.findings:
            out = [header(result, finding, paint), *snippet(lines, finding, paint, result.locate(finding.start)[1].line)]
            if finding.fix is not None:
                out.append(f"{' ' * len(str(finding.start.line))} = {paint('help', CYAN, BOLD)}: {finding.fix.message}")
            stream.write("\n".join(out) + "\n\n")
