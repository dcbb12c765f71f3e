"""One file in, findings out: decode, pick the regions that matter, parse, run the rules."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import libcst as cst

from ruff_like_rules.analysis.project import project_for
from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position
from ruff_like_rules.engine.noqa import filter_suppressed
from ruff_like_rules.engine.prefilter import Chunk, select_chunks
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.syntax.parsed import ParsedChunk


def decode(source: bytes) -> str:
    """Decode as Python does: a BOM, then a PEP 263 coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding)


class ChunkCache:
    """Parsed chunks kept from one analysis of a document to the next, for the language
    server, which re-checks a text that changed in one place: an unchanged chunk is not
    parsed again and keeps its resolved positions. Only the latest analysis' chunks stay."""

    def __init__(self) -> None:
        self._by_text: dict[str, ParsedChunk] = {}

    def parse(self, chunks: list[Chunk]) -> list[ParsedChunk]:
        kept: dict[str, ParsedChunk] = {}
        parsed = []
        for chunk in chunks:
            previous = self._by_text.get(chunk.text)
            if previous is None or chunk.text in kept:  # a repeated chunk needs a tree of its own
                current = ParsedChunk(chunk.first_line, cst.parse_module(chunk.text))
            else:
                current = previous.at_line(chunk.first_line)
            kept.setdefault(chunk.text, current)
            parsed.append(current)
        self._by_text = kept
        return parsed


def analyze_source(
    source: bytes | str, settings: AnalysisSettings, chunk_cache: ChunkCache | None = None, origin: Path | None = None
) -> list[Finding]:
    """Findings of one file's text; with ``origin`` (where the file is, or will be), bases
    from other files are looked up there (``analysis.project``), and what was consulted is
    left in ``project_for(settings.options).consulted``."""
    try:
        text = source if isinstance(source, str) else decode(source)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return [_parse_error(f"cannot decode file: {error}", Position(1, 0))]
    selection = settings.selection()
    if selection is None:
        return []
    chunks = (
        select_chunks(text, selection, block_by_block=chunk_cache is not None) if settings.prefilter else [Chunk(1, text)]
    )
    if chunks is None:
        return []
    try:
        parsed = _parse(chunks, text, chunk_cache)
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return [_parse_error(f"cannot parse file: {message}", Position(error.raw_line, error.raw_column))]
    lookups = project_for(settings.options).lookups_for(origin) if origin is not None and settings.project else None
    context = FileContext(parsed, text, settings.options, lookups)
    findings = [finding for rule in settings.rules for finding in rule().check(context)]
    if findings:
        findings = filter_suppressed(findings, text)
    return sorted(findings, key=lambda f: (f.start, f.code))


def _parse(chunks: list[Chunk], text: str, chunk_cache: ChunkCache | None) -> list[ParsedChunk]:
    """Parse each chunk alone; if the cut was wrong somewhere, the whole file decides."""
    try:
        if chunk_cache is not None:
            return chunk_cache.parse(chunks)
        return [ParsedChunk(chunk.first_line, cst.parse_module(chunk.text)) for chunk in chunks]
    except cst.ParserSyntaxError:
        if len(chunks) == 1 and chunks[0].text is text:
            raise
        return [ParsedChunk(1, cst.parse_module(text))]


def _parse_error(message: str, position: Position) -> Finding:
    return Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, message, position, position)
