"""One file in, findings out: decode, pick the regions that matter, parse, run the rules."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import stat
import tokenize
from pathlib import Path

import libcst as cst

from ruff_like_rules.analysis.project import project_for
from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.literals import blank_data_literals
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position
from ruff_like_rules.engine.noqa import UNUSED_NOQA_CODE, filter_suppressed, unused_directives
from ruff_like_rules.engine.prefilter import Chunk, select_chunks
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.syntax.cpython import compiles
from ruff_like_rules.syntax.depth import too_deep
from ruff_like_rules.syntax.errors import Unparsable, cannot_parse, nul_byte, syntax_error
from ruff_like_rules.syntax.lines import split_lines
from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.syntax.stack import call_with_deep_stack
from ruff_like_rules.syntax.trusted import parse_module


def read_source(path: Path) -> bytes:
    """The bytes of a regular file. Opened without blocking and checked before reading: a
    FIFO named ``*.py`` would otherwise hang the run; a device could read forever."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return stream.read()


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

    def parse(self, chunks: list[Chunk]) -> tuple[list[ParsedChunk], list[Chunk]]:
        """The trees of the chunks that parse, and the chunks that do not."""
        kept: dict[str, ParsedChunk] = {}
        parsed, broken = [], []
        for chunk in chunks:
            previous = self._by_text.get(chunk.text)
            if previous is None or chunk.text in kept:  # a repeated chunk needs a tree of its own
                try:
                    current = ParsedChunk(chunk.first_line, parse_module(chunk.text))
                except cst.ParserSyntaxError:
                    broken.append(chunk)
                    continue
            else:
                current = previous.at_line(chunk.first_line)
            kept.setdefault(chunk.text, current)
            parsed.append(current)
        self._by_text = kept
        return parsed, broken


def analyze_source(
    source: bytes | str,
    settings: AnalysisSettings,
    chunk_cache: ChunkCache | None = None,
    origin: Path | None = None,
    *,
    for_fixing: bool = False,
) -> list[Finding]:
    """The findings of one file. With ``origin`` (where the file is, or will be), bases from
    other files are looked up there (``analysis.project``), and what was consulted is left in
    ``project_for(settings.options).consulted``. ``for_fixing`` and a ``chunk_cache`` (the
    language server, whose fixes are applied as given) parse the exact text; a check blanks
    huge data literals."""
    try:
        text = source if isinstance(source, str) else decode(source)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return [_parse_error(cannot_parse(str(error)))]
    selection = settings.selection()
    chunks = (
        select_chunks(text, selection, block_by_block=chunk_cache is not None) if settings.prefilter else [Chunk(1, text)]
    ) if selection is not None else None
    if chunks is None:  # nothing for the rules that read code; stale `# noqa`s can still be reported
        return _apply_noqa([], text, settings)
    refusal = nul_byte(text)  # libcst takes some, Python none
    if refusal is not None:
        return [_parse_error(refusal)]
    try:  # measured before any blanking: what Python refuses is reported
        for chunk in chunks:
            _refuse_if_too_deep(chunk.text, chunk.first_line)
    except _Unanalysable as refusal:
        return [refusal.finding]
    parse_text = text
    if settings.prefilter and chunk_cache is None and not for_fixing:
        chunks = [Chunk(chunk.first_line, blank_data_literals(chunk.text)) for chunk in chunks]
        parse_text = chunks[0].text if len(chunks) == 1 and chunks[0].first_line == 1 and len(chunks[0].text) == len(text) else blank_data_literals(text)

    lookups = project_for(settings.options).lookups_for(origin) if origin is not None and settings.project else None

    def analyze() -> list[Finding]:
        return _analyze_chunks(chunks, text, parse_text, settings, chunk_cache, lookups)

    try:
        return analyze()
    except Exception as error:
        if not _out_of_stack(error):
            raise
    try:  # a legal but deep tree: again, with room for libcst's recursion
        return call_with_deep_stack(analyze)
    except Exception as error:
        if not _out_of_stack(error):
            raise
        return [_parse_error(cannot_parse("nested too deeply to analyse"))]


def _out_of_stack(error: BaseException) -> bool:
    """A RecursionError, or an error raised while one unwound: libcst's position recorder
    turns one into a KeyError on its way out."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, RecursionError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class _Unanalysable(Exception):
    """The file cannot be analysed: it does not parse, or nests past what parsing can bear."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _analyze_chunks(
    chunks: list[Chunk],
    text: str,
    parse_text: str,
    settings: AnalysisSettings,
    chunk_cache: ChunkCache | None,
    lookups,
) -> list[Finding]:
    """``parse_text`` is ``text`` as parsed (data literals blanked for a check).

    With a ``chunk_cache`` (the editor) a file that does not parse keeps the findings of the
    blocks that do, next to its PIN000; a ``# noqa`` in a broken block is not called unused."""
    try:
        parsed, whole, broken, refusal = _parse(chunks, parse_text, chunk_cache)
    except _Unanalysable as error:
        return [error.finding]
    context = FileContext(parsed, text, settings.options, lookups)
    findings = [finding for rule in settings.rules for finding in rule().check(context)]
    if findings and not whole and refusal is None:
        try:  # the prefilter's chunks parsed; findings (and fixes) need the whole file to
            _check_parses(parse_text)
        except _Unanalysable as error:
            if chunk_cache is None:
                return [error.finding]
            refusal = error.finding
    findings = _apply_noqa(findings, text, settings)
    if refusal is not None:
        findings = [f for f in findings if f.code != UNUSED_NOQA_CODE or not _within(f.start.line, broken)]
        findings.append(refusal)
    return sorted(findings, key=lambda f: (f.start, f.code))


def _within(line: int, chunks: list[Chunk]) -> bool:
    return any(c.first_line <= line < c.first_line + len(split_lines(c.text)) for c in chunks)


def _apply_noqa(findings: list[Finding], text: str, settings: AnalysisSettings) -> list[Finding]:
    """Drop what ``# noqa`` silences (unless ``ignore_noqa``); with PIN100 selected, first report
    the directives that silence nothing (the rule is the engine's: it needs every other rule's
    findings). Fixes of ``unfixable`` codes are withheld."""
    codes = [rule.code for rule in settings.rules]
    if not settings.ignore_noqa:
        if UNUSED_NOQA_CODE in codes:
            findings = findings + unused_directives(findings, text, codes)
        findings = filter_suppressed(findings, text) if findings else findings
    if settings.unfixable:
        findings = [dataclasses.replace(f, fix=None) if f.code in settings.unfixable else f for f in findings]
    return findings


def _parse(
    chunks: list[Chunk], text: str, chunk_cache: ChunkCache | None
) -> tuple[list[ParsedChunk], bool, list[Chunk], Finding | None]:
    """Parse each chunk alone; if the cut was wrong somewhere, the whole file decides.
    Also says whether the whole file was parsed. With a ``chunk_cache``, a file that does
    not parse gives the chunks that do, the chunks that do not, and why the file does not."""
    whole = len(chunks) == 1 and chunks[0].text == text
    if chunk_cache is not None:
        parsed, broken = chunk_cache.parse(chunks)
        if not broken:
            return parsed, whole, [], None
        try:
            return [ParsedChunk(1, _parse_checked(text))], True, [], None
        except _Unanalysable as refusal:
            return parsed, False, broken, refusal.finding
    try:
        return [ParsedChunk(chunk.first_line, parse_module(chunk.text)) for chunk in chunks], whole, [], None
    except cst.ParserSyntaxError as error:
        if whole:
            raise _Unanalysable(_parse_error(syntax_error(text, error))) from None
    return [ParsedChunk(1, _parse_checked(text))], True, [], None


def _parse_checked(text: str) -> cst.Module:
    """The whole text parsed, or why it cannot be."""
    _refuse_if_too_deep(text, 1)
    try:
        return parse_module(text)
    except cst.ParserSyntaxError as error:
        raise _Unanalysable(_parse_error(syntax_error(text, error))) from None


def _check_parses(text: str) -> None:
    """The whole text parses, or why it cannot: CPython answers first (``syntax.cpython``),
    libcst only where CPython refuses."""
    _refuse_if_too_deep(text, 1)
    if not compiles(text):
        _parse_checked(text)


def _refuse_if_too_deep(text: str, first_line: int) -> None:
    """Measured from tokens before parsing: a too deep text would crash the native parser."""
    refusal = too_deep(text, first_line)
    if refusal is not None:
        raise _Unanalysable(_parse_error(cannot_parse(refusal.message, refusal.line)))


def _parse_error(refusal: Unparsable) -> Finding:
    position = Position(refusal.line, refusal.column)
    return Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, refusal.message, position, position)
