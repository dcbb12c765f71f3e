"""Output formats by name, as ``--output-format`` spells them (Ruff's names).

Every format writes a sorted list of ``FileResult``s to a text stream; the text formats
(``full``, ``concise``) are followed by Ruff's summary line unless ``--quiet``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ruff_like_rules.output import concise, full, github, json, junit, sarif

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


@dataclass(frozen=True)
class OutputFormat:
    write: Callable[[Sequence[FileResult], TextIO, bool], None]
    """(results, stream, colour) -> None"""
    textual: bool
    """Shown to people: followed by the summary line, the only one that may use colour."""


FORMATS: dict[str, OutputFormat] = {
    "full": OutputFormat(full.write, textual=True),
    "concise": OutputFormat(concise.write, textual=True),
    "json": OutputFormat(json.write, textual=False),
    "github": OutputFormat(github.write, textual=False),
    "sarif": OutputFormat(sarif.write, textual=False),
    "junit": OutputFormat(junit.write, textual=False),
}
DEFAULT_FORMAT = "full"


def summary_line(count: int) -> str:
    if count == 0:
        return "All checks passed!"
    return f"Found {count} error{'' if count == 1 else 's'}."
