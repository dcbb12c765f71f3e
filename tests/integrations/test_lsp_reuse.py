"""The server re-checks each document with a ``ChunkCache``: reusing unchanged chunks'
trees and positions must never change a finding, whatever the edit does to the lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruff_like_rules.analyzer import AnalysisSettings, ChunkCache, analyze_source
from ruff_like_rules.rules import ALL_RULES

CORPUS = sorted((Path(__file__).parents[1] / "static" / "corpus").glob("*.py"))
SETTINGS = AnalysisSettings(rules=ALL_RULES)


def edits(text: str) -> list[str]:
    """What typing does: insert lines above everything, change a line in the middle,
    delete one, and repeat the whole file (every chunk then occurs twice)."""
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    return [
        text,
        "# a new first line\n\n" + text,
        "".join(lines[:middle]) + lines[middle].rstrip("\n") + "  # typed\n" + "".join(lines[middle + 1 :]),
        "".join(lines[:middle] + lines[middle + 1 :]),
        text + "\n\n" + text,
        text,
    ]


def described(text: str, cache: ChunkCache | None) -> list[tuple[object, ...]]:
    return [(f.code, f.message, f.start, f.end, f.fix) for f in analyze_source(text, SETTINGS, cache)]


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_reused_chunks_give_the_same_findings(path: Path):
    cache = ChunkCache()
    for text in edits(path.read_text(encoding="utf-8")):
        assert described(text, cache) == described(text, None)
