"""``concise``: one line per finding, ``path:line:col: CODE [*] message`` (1-based column);
in a notebook ``path:cell N:line:col:``, the line counted within the cell, as Ruff shows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ruff_like_rules.engine.diagnostics import Finding
from ruff_like_rules.output.style import BOLD, CYAN, PLAIN, RED, Painter

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def place(result: FileResult, finding: Finding) -> str:
    """``path:line:col`` of a finding, ``path:cell N:line:col`` in a notebook."""
    cell, start = result.locate(finding.start)
    inside = f"cell {cell}:" if cell is not None else ""
    return f"{result.display}:{inside}{start.line}:{start.column + 1}"


def header(result: FileResult, finding: Finding, paint: Painter = PLAIN) -> str:
    """The line both text formats start a finding with; ``[*]`` marks a fixable one."""
    location = paint(f"{place(result, finding)}:", BOLD)
    marker = " " + paint("[*]", CYAN) if finding.fix is not None else ""
    return f"{location} {paint(finding.code, RED, BOLD)}{marker} {finding.message}"


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    paint = Painter(color)
    for result in results:
        for finding in result.findings:
            stream.write(header(result, finding, paint) + "\n")
