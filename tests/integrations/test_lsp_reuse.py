"""The server re-checks each document with a ``ChunkCache``: reusing unchanged chunks'
trees and positions must never change a finding, whatever the edit does to the lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruff_like_rules.engine.analyze import ChunkCache, analyze_source
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.rules import ALL_RULES

CORPUS = sorted((Path(__file__).parents[1] / "static" / "corpus").glob("*/*.py"))
SETTINGS = AnalysisSettings(rules=ALL_RULES)


def edits(text: str) -> list[str]:
    """What typing does: insert lines above everything, change a line in the middle,
    delete one."""
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    return [
        text,
        "# a new first line\n\n" + text,
        "".join(lines[:middle]) + lines[middle].rstrip("\n") + "  # typed\n" + "".join(lines[middle + 1 :]),
        "".join(lines[:middle] + lines[middle + 1 :]),
        text,
    ]


def described(text: str, cache: ChunkCache | None) -> list[tuple[object, ...]]:
    return [(f.code, f.message, f.start, f.end, f.fix) for f in analyze_source(text, SETTINGS, cache)]


@pytest.mark.parametrize("path", CORPUS, ids=[f"{path.parent.name}/{path.stem}" for path in CORPUS])
def test_reused_chunks_give_the_same_findings(path: Path):
    cache = ChunkCache()
    for text in edits(path.read_text(encoding="utf-8")):
        reused, whole = described(text, cache), described(text, None)
        assert reused == described(text, ChunkCache())
        if whole and whole[0][0] == PARSE_ERROR_CODE:  # an edit broke the text: the same PIN000, and
            assert [f for f in reused if f[0] == PARSE_ERROR_CODE] == whole  # the intact blocks' findings
        else:
            assert reused == whole


@pytest.mark.parametrize("path", CORPUS[::20], ids=[f"{path.parent.name}/{path.stem}" for path in CORPUS[::20]])
def test_a_repeated_chunk_gets_a_tree_of_its_own(path: Path):
    text = path.read_text(encoding="utf-8")
    cache = ChunkCache()
    for current in (text, text + "\n\n" + text):  # every chunk of the second copy repeats one of the first
        assert described(current, cache) == described(current, None)
