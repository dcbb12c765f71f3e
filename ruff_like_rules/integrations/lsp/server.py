"""``paraminit server``: the checks as a language server (LSP over stdio, built on pygls).

Diagnostics come for every open Python document under the settings ``paraminit check``
would use for that file (the nearest settings file, ``per-file-ignores``, exclusions as
with ``--force-exclude``), and ``# noqa`` comments count. They are pushed
(``textDocument/publishDiagnostics``) unless the client pulls them
(``textDocument/diagnostic``), as Ruff's server does, so no client sees them twice.
Code actions: each finding's fix, ``# noqa: CODE`` for its line, and
``source.fixAll.paraminit`` applying every safe fix.

Documents are synchronised whole on each change: pygls's incremental mode splits lines
with ``str.splitlines``, which also breaks at form feeds and ``\\u2028``, and an edit
applied to the wrong line would later be written back into the user's file by fix-all.
Analysis runs on one worker thread so the event loop keeps answering, reusing the parsed
chunks of the document's previous text that did not change; a burst of changes
to one document is analysed once for its newest text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from ruff_like_rules.engine.analyze import ChunkCache, analyze_source
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, Applicability, Edit, Finding
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.integrations.lsp.text import Comments, LineIndex, Units, noqa_edit, replacement_edit
from ruff_like_rules.rules import ALL_RULES, rule_by_code
from ruff_like_rules.workspace.cache import tool_version
from ruff_like_rules.workspace.config import CONFIG_FILENAMES, ConfigError, Resolver
from ruff_like_rules.workspace.selection import select_rules
from ruff_like_rules.workspace.discovery import PYTHON_SUFFIXES, Discovery

SOURCE = "paraminit"
FIX_ALL_KIND = "source.fixAll.paraminit"
WATCHED_FILES = (*CONFIG_FILENAMES, ".gitignore", os.path.join(".git", "info", "exclude"))
"""Files whose change can change a document's settings or exclusion."""

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class FileSettings:
    """What governs one document: its analysis settings (None: excluded), and the error
    that made the server fall back to the default rules, if a settings file is broken."""

    analysis: AnalysisSettings | None
    error: str | None = None


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """The settings-related files in ``directory`` and above it, with their mtimes and sizes."""
    found = []
    for folder in (directory, *directory.parents):
        for name in WATCHED_FILES:
            candidate = os.path.join(folder, name)
            try:
                stat = os.stat(candidate)
            except OSError:
                continue
            found.append((candidate, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class SettingsCache:
    """Settings per document path, resolved by the CLI's ``Resolver`` and kept until a
    settings file or ``.gitignore`` around the path changes (checked by ``stat``, so no
    keystroke re-reads ``pyproject.toml``). Any such change starts resolution afresh: one
    settings file can govern many open documents."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._fresh()

    def _fresh(self) -> None:
        self.resolver = Resolver(cwd=self.cwd)
        self.discovery = Discovery(self.resolver, force_exclude=True)
        self._by_path: dict[Path | None, tuple[tuple[tuple[str, int, int], ...], FileSettings]] = {}

    def lookup(self, path: Path | None) -> FileSettings:
        """Settings for the file at ``path``; None: an unsaved document, governed by the
        settings of the workspace root."""
        stamp = _stamp(path.parent if path is not None else self.cwd)
        cached = self._by_path.get(path)
        if cached is not None:
            if cached[0] == stamp:
                return cached[1]
            self._fresh()
        try:
            if path is None:
                settings = FileSettings(self.resolver.settings_for(self.cwd))
            elif self.discovery.excluded_with_parents(path):
                settings = FileSettings(None)
            else:
                settings = FileSettings(self.resolver.settings_for(path))
        except ConfigError as error:
            default = select_rules((), ALL_RULES, preview=False)
            settings = FileSettings(AnalysisSettings(rules=default), error=str(error))
            self.resolver = Resolver(cwd=self.cwd)  # drop what the failed resolution memoised
            self.discovery = Discovery(self.resolver, force_exclude=True)
        self._by_path[path] = (stamp, settings)
        return settings


# ---------------------------------------------------------------------------- analysis


@dataclass(frozen=True, eq=False)
class Analysis:
    """One text of a document, checked under one set of settings."""

    uri: str
    version: int | None
    text: str
    settings: FileSettings
    findings: tuple[Finding, ...]

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text)

    @cached_property
    def comments(self) -> Comments:
        return Comments(self.text)

    def has_safe_fix(self) -> bool:
        """Whether fix-all has work: never in a text that does not parse (the findings are
        then those of its intact blocks, and fixing needs the whole file)."""
        return not any(f.code == PARSE_ERROR_CODE for f in self.findings) and any(
            f.fix is not None and f.fix.applicability is Applicability.SAFE for f in self.findings
        )


def _document_path(uri: str) -> Path | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(path) if path else None


def is_python(document: TextDocument) -> bool:
    return document.language_id == "python" or document.uri.endswith(PYTHON_SUFFIXES)


# ---------------------------------------------------------------------------- server


class InOrderProtocol(LanguageServerProtocol):
    """pygls' protocol, dropping a ``didChange`` older than the document's version: a change
    that arrives out of order never replaces newer text, so no analysis (nor any diagnostics
    published) is ever for a version older than the latest seen."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        document = self.workspace.text_documents.get(params.text_document.uri)
        current = document.version if document is not None else None
        if current is not None and params.text_document.version is not None and params.text_document.version < current:
            logger.warning("ignored version %s of %s: it has version %s", params.text_document.version, document.uri, current)
            return
        yield from super().lsp_text_document__did_change(params)


class ParaminitServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE, tool_version(), protocol_cls=InOrderProtocol, text_document_sync_kind=types.TextDocumentSyncKind.Full
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paraminit-analysis")
        self._analyses: dict[str, Analysis] = {}
        self._chunks: dict[str, ChunkCache] = {}
        self._published: dict[str, Analysis] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._reported_errors: set[str] = set()

    @cached_property
    def settings(self) -> SettingsCache:
        root = self.workspace.root_path
        return SettingsCache(Path(root).resolve() if root else Path.cwd())

    @property
    def units(self) -> Units:
        return self.workspace.position_codec.client_num_units

    @property
    def resolves_edits(self) -> bool:
        """Whether the client can ask for a code action's edit later (codeAction/resolve)."""
        text_document = self.client_capabilities.text_document
        capability = text_document.code_action if text_document is not None else None
        resolve = capability.resolve_support if capability is not None else None
        return resolve is not None and "edit" in resolve.properties

    @property
    def client_pulls(self) -> bool:
        text_document = self.client_capabilities.text_document
        return text_document is not None and text_document.diagnostic is not None

    async def analysis(self, document: TextDocument) -> Analysis:
        """The findings for the document's current text, computed once per text and settings."""
        text, version = document.source, document.version
        settings = self.settings.lookup(_document_path(document.uri))
        if settings.error is not None and settings.error not in self._reported_errors:
            self._reported_errors.add(settings.error)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"paraminit: {settings.error} (checking with the default rules)",
                )
            )
        cached = self._analyses.get(document.uri)
        if cached is not None and cached.settings == settings and cached.text == text:
            return cached
        if settings.analysis is None:
            findings: list[Finding] = []
        else:
            loop = asyncio.get_running_loop()
            chunks = self._chunks.setdefault(document.uri, ChunkCache())  # used by the one worker only
            origin = _document_path(document.uri)  # other files' classes are read from disk
            findings = await loop.run_in_executor(
                self._executor, analyze_source, text, settings.analysis, chunks, origin
            )
        analysis = Analysis(document.uri, version, text, settings, tuple(findings))
        self._analyses[document.uri] = analysis
        return analysis

    async def publish(self, uri: str) -> None:
        """Push the diagnostics of the document's newest text (once per text)."""
        lock = self._locks.setdefault(uri, asyncio.Lock())
        async with lock:  # queued publishes of one document wait, then find the work done
            document = self.workspace.text_documents.get(uri)
            if document is None or not is_python(document):
                return
            analysis = await self.analysis(document)
            if self._published.get(uri) is analysis or uri not in self.workspace.text_documents:
                return
            self._published[uri] = analysis
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=self.diagnostics(analysis), version=analysis.version
                )
            )

    def refresh(self, uri: str) -> None:
        if not self.client_pulls:
            asyncio.ensure_future(self.publish(uri)).add_done_callback(self._report_failure)

    def _report_failure(self, task: asyncio.Future[None]) -> None:
        """A publish runs on its own, with nobody awaiting it: say in the client's log why
        diagnostics did not come, instead of leaving stale ones without a word."""
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        logger.error("checking failed", exc_info=error)
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error, message=f"paraminit: checking failed: {type(error).__name__}: {error}"
            )
        )

    def refresh_all(self) -> None:
        """Settings may have changed: every open document's diagnostics may be stale."""
        if not self.client_pulls:
            for uri in list(self.workspace.text_documents):
                self.refresh(uri)
            return
        workspace = self.client_capabilities.workspace
        diagnostics = workspace.diagnostics if workspace is not None else None
        if diagnostics is not None and diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def forget(self, uri: str) -> None:
        for store in (self._analyses, self._chunks, self._published, self._locks):
            store.pop(uri, None)
        if not self.client_pulls:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ------------------------------------------------------------------------ conversions

    def range(self, lines: LineIndex, edit_or_finding: Edit | Finding) -> types.Range:
        start = lines.to_client(edit_or_finding.start, self.units)
        end = lines.to_client(edit_or_finding.end, self.units)
        return types.Range(start=types.Position(*start), end=types.Position(*end))

    def diagnostics(self, analysis: Analysis) -> list[types.Diagnostic]:
        return [self.diagnostic(analysis, finding) for finding in analysis.findings]

    def diagnostic(self, analysis: Analysis, finding: Finding) -> types.Diagnostic:
        rule = rule_by_code(finding.code)
        return types.Diagnostic(
            range=self.range(analysis.lines, finding),
            message=finding.message,
            severity=types.DiagnosticSeverity.Error
            if finding.code == PARSE_ERROR_CODE
            else types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=rule.url()) if rule is not None else None,
            source=SOURCE,
        )

    def workspace_edit(self, analysis: Analysis, edits: Sequence[Edit]) -> types.WorkspaceEdit:
        """Edits of one document, tied to the version they were computed for when the
        client can check it (a stale edit is then refused rather than misapplied)."""
        text_edits = [types.TextEdit(range=self.range(analysis.lines, edit), new_text=edit.content) for edit in edits]
        workspace = self.client_capabilities.workspace
        capability = workspace.workspace_edit if workspace is not None else None
        if capability is not None and capability.document_changes:
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=analysis.uri, version=analysis.version)
            return types.WorkspaceEdit(
                document_changes=[types.TextDocumentEdit(text_document=identifier, edits=text_edits)]
            )
        return types.WorkspaceEdit(changes={analysis.uri: text_edits})

    # ------------------------------------------------------------------------ code actions

    def finding_actions(self, analysis: Analysis, finding: Finding) -> list[types.CodeAction]:
        diagnostic = self.diagnostic(analysis, finding)
        actions = []
        fix = finding.fix
        if fix is not None:
            unsafe = fix.applicability is Applicability.UNSAFE
            warning = " [unsafe fix: may change behaviour]" if unsafe else ""
            actions.append(
                types.CodeAction(
                    f"{SOURCE} ({finding.code}): {fix.message}{warning}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=self.workspace_edit(analysis, fix.edits),
                    is_preferred=not unsafe,
                )
            )
        edit = noqa_edit(analysis.lines, analysis.comments, finding.start.line, finding.code)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    f"{SOURCE} ({finding.code}): Disable for this line (# noqa: {finding.code})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=self.workspace_edit(analysis, [edit]),
                )
            )
        return actions

    async def fix_all_edit(self, analysis: Analysis) -> types.WorkspaceEdit | None:
        from ruff_like_rules.fix.apply import fix_source

        if analysis.settings.analysis is None or not analysis.has_safe_fix():
            return None
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(self._executor, fix_source, analysis.text, analysis.settings.analysis)
        edit = replacement_edit(analysis.lines, outcome.text)
        return self.workspace_edit(analysis, [edit]) if edit is not None else None

    def fix_all_action(self, edit: types.WorkspaceEdit | None = None, data: Any = None) -> types.CodeAction:
        return types.CodeAction(f"{SOURCE}: Fix all auto-fixable problems", kind=FIX_ALL_KIND, edit=edit, data=data)


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether the client asked for actions of ``kind`` (all kinds when it did not say)."""
    return not only or any(kind == asked or kind.startswith(asked + ".") for asked in only)


def _overlaps(finding: Finding, analysis: Analysis, request: types.Range, units: Units) -> bool:
    start = analysis.lines.from_client(request.start.line, request.start.character, units)
    end = analysis.lines.from_client(request.end.line, request.end.character, units)
    return finding.start <= end and start <= finding.end


def build_server() -> ParaminitServer:
    server = ParaminitServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ParaminitServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ParaminitServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ParaminitServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _document_path(params.text_document.uri)
        if path is not None and path.name in (*CONFIG_FILENAMES, ".gitignore"):
            ls.refresh_all()
        else:
            ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: ParaminitServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def pull_diagnostics(
        ls: ParaminitServer, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_python(document):
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics(await ls.analysis(document)))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    async def code_action(ls: ParaminitServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_python(document):
            return None
        analysis = await ls.analysis(document)
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            for finding in analysis.findings:
                if finding.code != PARSE_ERROR_CODE and _overlaps(finding, analysis, params.range, ls.units):
                    actions.extend(ls.finding_actions(analysis, finding))
        if analysis.has_safe_fix() and _wanted(FIX_ALL_KIND, only):  # also answers `source.fixAll`, `source`
            if ls.resolves_edits:  # fixing costs analyses: only for the action the user picks
                actions.append(ls.fix_all_action(data={"uri": analysis.uri}))
            else:
                edit = await ls.fix_all_edit(analysis)
                if edit is not None:
                    actions.append(ls.fix_all_action(edit=edit))
        return actions

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_code_action(ls: ParaminitServer, action: types.CodeAction) -> types.CodeAction:
        uri = action.data.get("uri") if isinstance(action.data, dict) else None
        if uri is not None and action.edit is None and uri in ls.workspace.text_documents:
            analysis = await ls.analysis(ls.workspace.get_text_document(uri))
            action.edit = await ls.fix_all_edit(analysis)
        return action

    return server


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="paraminit server: %(message)s")
    build_server().start_io()
