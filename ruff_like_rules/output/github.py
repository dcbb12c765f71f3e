"""``github``: GitHub Actions workflow commands, which annotate the pull request's diff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    for result in results:
        for f in result.findings:
            cell, start = result.locate(f.start)
            end = result.locate(f.end)[1]
            properties = {
                "title": f"paraminit ({f.code})" + (f" in cell {cell}" if cell is not None else ""),
                "file": result.display,
                "line": start.line,
                "col": start.column + 1,
                "endLine": end.line,
                "endColumn": end.column + 1,
            }
            joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
            stream.write(f"::error {joined}::{escape_data(f'{f.code} {f.message}')}\n")
