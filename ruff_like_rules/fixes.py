"""Applying fixes: text edits over positions, never overlapping, in one pass."""

from __future__ import annotations

from collections.abc import Iterable

from ruff_like_rules.model import Edit, Position


def _offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(starts: list[int], position: Position) -> int:
    return starts[position.line - 1] + position.column


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits from last to first; an edit overlapping one already taken is skipped."""
    starts = _offsets(text)
    spans = sorted(
        ((_offset(starts, e.start), _offset(starts, e.end), e.content) for e in edits), reverse=True
    )
    result = text
    lowest = len(text) + 1
    for start, end, content in spans:
        if end > lowest:
            continue
        result = result[:start] + content + result[end:]
        lowest = start
    return result
