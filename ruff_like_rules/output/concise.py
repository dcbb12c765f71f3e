"""``concise``: one line per finding, ``path:line:col: CODE [*] message`` (1-based column)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ruff_like_rules.engine.diagnostics import Finding
from ruff_like_rules.output.style import BOLD, CYAN, PLAIN, RED, Painter

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def header(display: str, finding: Finding, paint: Painter = PLAIN) -> str:
    """The line both text formats start a finding with; ``[*]`` marks a fixable one."""
    location = paint(f"{display}:{finding.start.line}:{finding.start.column + 1}:", BOLD)
    marker = " " + paint("[*]", CYAN) if finding.fix is not None else ""
    return f"{location} {paint(finding.code, RED, BOLD)}{marker} {finding.message}"


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    paint = Painter(color)
    for result in results:
        for finding in result.findings:
            stream.write(header(result.display, finding, paint) + "\n")
