"""``paraminit server`` end to end: a real LSP client (pytest-lsp) drives the real server process.

The client applies every WorkspaceEdit to its own copy of the text, counting LSP
positions in UTF-16 code units itself, and sends the result back as an edit would be sent
by an editor; the server must then report the document clean.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.rules import rule_by_code
from ruff_like_rules.workspace.config import Resolver

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMEOUT = 30


class RecordingClient(LanguageClient):
    """pytest-lsp's client, keeping every publishDiagnostics (``wait_for_notification``
    misses one that arrives while the test is not waiting)."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        features = dict(DEFAULT_CLIENT_FEATURES)
        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record_published
        register_lsp_features(self, features)


def record_published(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "ruff_like_rules", "server"], client_factory=RecordingClient
)

MODEL = """\
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, size):
        super().__init__()
        label = "😀🐍"; self.weight = nn.Parameter(torch.empty(size))
        self.register_buffer("mean", torch.FloatTensor([0.5, 0.25]))
        self.register_buffer("std", torch.Tensor(size))  # noqa: E501

    def forward(self, x):
        return (x - self.mean) * self.weight
"""

PYPROJECT = """\
[tool.paraminit]
per-file-ignores = { "generated_*.py" = ["PIN"] }
"""


# ---------------------------------------------------------------------------- client side


def _offset(text: str, position: types.Position) -> int:
    """Index into ``text`` of an LSP position counted in UTF-16 code units (done here, not
    with the server's code, so the test checks the server's conversion)."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    units = 0
    for index, char in enumerate(lines[position.line]):
        if units >= position.character:
            return offset + index
        units += len(char.encode("utf-16-le")) // 2
    return offset + len(lines[position.line])


def apply_workspace_edit(text: str, uri: str, edit: types.WorkspaceEdit) -> str:
    if edit.document_changes is not None:
        edits = [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    else:
        edits = list((edit.changes or {}).get(uri, []))
    spans = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


class Editor:
    """An open document as an editor holds it: its text and version, kept in step with the server."""

    def __init__(self, client: RecordingClient, path: Path) -> None:
        self.client = client
        self.path = path
        self.uri = path.as_uri()
        self.text = path.read_bytes().decode("utf-8")  # as the editor has it: line endings kept
        self.version = 1

    async def open(self) -> list[types.Diagnostic]:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=self.uri, language_id="python", version=self.version, text=self.text)
            )
        )
        return await self.diagnostics()

    async def change(self, text: str) -> list[types.Diagnostic]:
        self.text = text
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return await self.diagnostics()

    async def apply(self, action: types.CodeAction) -> list[types.Diagnostic]:
        assert action.edit is not None
        return await self.change(apply_workspace_edit(self.text, self.uri, action.edit))

    async def diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics published for this document's current version (the newest, once
        one has come)."""
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while asyncio.get_running_loop().time() < deadline:
            for params in reversed(self.client.published):
                if params.uri == self.uri and params.version == self.version:
                    self.client.published.remove(params)
                    return list(params.diagnostics)
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no diagnostics for {self.path.name} version {self.version}")

    async def actions(self, where: types.Range, only: list[str] | None = None) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri),
                range=where,
                context=types.CodeActionContext(diagnostics=[], only=only),
            )
        )
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
        )


def capabilities(*, pull: bool = False, resolve: bool = False) -> types.ClientCapabilities:
    """An editor that counts UTF-16 (the LSP default) and takes versioned document edits."""
    code_action = types.CodeActionClientCapabilities(
        code_action_literal_support=types.ClientCodeActionLiteralOptions(
            code_action_kind=types.ClientCodeActionKindOptions(
                value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
            )
        ),
        is_preferred_support=True,
        data_support=True,
        resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve else None,
    )
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            code_action=code_action,
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
        ),
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return root


async def _start(client: LanguageClient, root: Path, **flags: bool) -> None:
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities(**flags), root_uri=root.as_uri(), process_id=os.getpid())
    )


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, project)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, scope="module")
async def pulling_client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, project, pull=True, resolve=True)
    yield
    await lsp_client.shutdown_session()


def write(project: Path, name: str, text: str) -> Path:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_code(diagnostics: list[types.Diagnostic]) -> dict[str, list[types.Diagnostic]]:
    grouped: dict[str, list[types.Diagnostic]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(str(diagnostic.code), []).append(diagnostic)
    return grouped


# ---------------------------------------------------------------------------- tests


async def test_diagnostics_match_the_cli_with_utf16_columns(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "scale.py", MODEL))
    diagnostics = await editor.open()
    findings = analyze_source(MODEL, Resolver(cwd=project).settings_for(editor.path))
    assert [(d.code, d.range.start.line + 1) for d in diagnostics] == [(f.code, f.start.line) for f in findings]
    assert [d.code for d in diagnostics] == ["PIN001", "PIN004", "PIN001"]
    weight = diagnostics[0]
    # two emoji before the call: 2 code points, 4 UTF-16 code units
    line = MODEL.splitlines()[7]
    column = line.index("torch.empty(size)")
    assert weight.range == types.Range(
        start=types.Position(line=7, character=column + 2),
        end=types.Position(line=7, character=column + len("torch.empty(size)") + 2),
    )
    for diagnostic in diagnostics:
        assert diagnostic.source == "paraminit"
        assert diagnostic.severity == types.DiagnosticSeverity.Warning
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == rule_by_code(str(diagnostic.code)).url()
    editor.close()


async def test_quick_fix_then_clean(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "constants.py", "import torch\n\nMEAN = torch.FloatTensor([0.5, 0.25])\n"))
    [diagnostic] = await editor.open()
    assert diagnostic.code == "PIN004"
    actions = await editor.actions(diagnostic.range)
    fix = next(a for a in actions if "torch.tensor" in a.title)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred and "unsafe" not in fix.title
    assert fix.diagnostics and fix.diagnostics[0].code == "PIN004"
    assert await editor.apply(fix) == []
    assert editor.text == "import torch\n\nMEAN = torch.tensor([0.5, 0.25], dtype=torch.float32)\n"
    editor.close()


async def test_unsafe_fix_says_so(client: RecordingClient, project: Path):
    source = "import numpy as np\nimport torch\n\nONES = torch.FloatTensor(np.ones(3))\n"
    editor = Editor(client, write(project, "unsafe.py", source))
    [diagnostic] = await editor.open()
    [fix] = [a for a in await editor.actions(diagnostic.range) if "torch.tensor" in a.title]
    assert "unsafe" in fix.title
    assert not fix.is_preferred
    editor.close()


async def test_noqa_action_adds_a_comment_or_extends_one(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "suppress.py", MODEL))
    remaining = await editor.open()
    while any(d.code == "PIN001" for d in remaining):
        diagnostic = next(d for d in remaining if d.code == "PIN001")
        [noqa] = [a for a in await editor.actions(diagnostic.range) if "noqa" in a.title]
        assert noqa.title == "paraminit (PIN001): Disable for this line (# noqa: PIN001)"
        remaining = await editor.apply(noqa)
    assert [d.code for d in remaining] == ["PIN004"]
    lines = editor.text.splitlines()
    assert lines[7].endswith("torch.empty(size))  # noqa: PIN001")
    assert lines[9].endswith("torch.Tensor(size))  # noqa: E501, PIN001")
    editor.close()


async def test_fix_all_applies_every_safe_fix(client: RecordingClient, project: Path):
    from ruff_like_rules.fix.apply import fix_source

    editor = Editor(client, write(project, "fix_all.py", MODEL))
    before = by_code(await editor.open())
    assert len(before["PIN004"]) == 1
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    for only in ([types.CodeActionKind.SourceFixAll], ["source.fixAll.paraminit"]):
        [action] = await editor.actions(whole, only=only)
        assert action.kind == "source.fixAll.paraminit"
    after = await editor.apply(action)
    settings = Resolver(cwd=project).settings_for(editor.path)
    assert editor.text == fix_source(MODEL, settings).text != MODEL
    assert "PIN004" not in by_code(after)
    assert await editor.actions(whole, only=[types.CodeActionKind.SourceFixAll]) == []  # nothing left to fix
    editor.close()


async def test_per_file_ignores_silence_a_file(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "generated_layers.py", MODEL))
    assert await editor.open() == []
    editor.close()


async def test_excluded_file_gets_no_diagnostics(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "build/model.py", MODEL))
    assert await editor.open() == []
    editor.close()


async def test_parse_error_is_an_error(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "broken.py", "import torch\nw = torch.empty(3\n"))
    [diagnostic] = await editor.open()
    assert diagnostic.code == "PIN000"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert await editor.actions(diagnostic.range) == []
    assert await editor.change("import torch\nw = torch.zeros(3)\n") == []
    editor.close()


BLOCKS = """\
import torch
from torch import nn


class Intact(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3))


class Typing(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(3, 3))  # noqa: PIN001


MEAN = torch.FloatTensor([0.5, 0.25])
"""


async def test_a_syntax_error_in_one_block_keeps_the_other_blocks_findings(client: RecordingClient, project: Path):
    editor = Editor(client, write(project, "typing_a_block.py", BLOCKS))
    before = by_code(await editor.open())
    assert [d.range.start.line + 1 for d in before["PIN001"]] == [8]
    broken = BLOCKS.replace("torch.Tensor(3, 3))", "torch.Tensor(3, 3)")  # mid-edit: a parenthesis short
    during = by_code(await editor.change(broken))
    [error] = during.pop("PIN000")
    assert error.severity == types.DiagnosticSeverity.Error and error.range.start.line + 1 == 14
    assert error.message.startswith("syntax error at 14:")
    # the intact blocks' findings stay, where they were; the broken block's `# noqa` is not called unused
    kept = {code: [d.range.start.line + 1 for d in found] for code, found in during.items()}
    assert kept == {code: [d.range.start.line + 1 for d in found] for code, found in before.items()}
    assert "PIN100" not in kept
    [fix] = [a for a in await editor.actions(before["PIN004"][0].range) if "torch.tensor" in a.title]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    assert await editor.actions(whole, only=[types.CodeActionKind.SourceFixAll]) == []  # fix-all needs the whole file
    assert fix.edit is not None  # an intact block's own fix is still offered
    assert by_code(await editor.change(BLOCKS)) == before
    editor.close()


async def test_settings_change_is_picked_up(client: RecordingClient, tmp_path: Path):
    package = tmp_path / "package"
    settings = write(package, "pyproject.toml", "[tool.paraminit]\nignore = []\n")
    editor = Editor(client, write(package, "model.py", MODEL))
    assert set(by_code(await editor.open())) == {"PIN001", "PIN004"}
    settings.write_text('[tool.paraminit]\nignore = ["PIN001"]\n', encoding="utf-8")
    os.utime(settings, ns=(settings.stat().st_mtime_ns + 10**9,) * 2)  # coarse clocks: make the change visible
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=settings.as_uri()))
    )
    assert set(by_code(await editor.diagnostics())) == {"PIN004"}
    editor.close()


async def test_broken_settings_are_reported_and_defaults_used(client: RecordingClient, tmp_path: Path):
    write(tmp_path, "paraminit.toml", 'ignore = ["PIN9"]\n')
    editor = Editor(client, write(tmp_path, "model.py", MODEL))
    assert set(by_code(await editor.open())) == {"PIN001", "PIN004"}
    shown = client.messages[-1]  # sent before the diagnostics
    assert shown.type == types.MessageType.Error
    assert "paraminit.toml" in shown.message and "PIN9" in shown.message
    editor.close()


async def test_pulled_diagnostics_and_resolved_fix_all(pulling_client: RecordingClient, project: Path):
    editor = Editor(pulling_client, write(project, "pulled.py", MODEL))
    pulling_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=editor.uri, language_id="python", version=1, text=editor.text)
        )
    )
    report = await pulling_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=editor.uri))
    )
    assert [d.code for d in report.items] == ["PIN001", "PIN004", "PIN001"]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    [action] = await editor.actions(whole, only=[types.CodeActionKind.SourceFixAll])
    assert action.edit is None  # computed only when picked
    resolved = await pulling_client.code_action_resolve_async(action)
    assert "torch.tensor([0.5, 0.25], dtype=torch.float32)" in apply_workspace_edit(
        editor.text, editor.uri, resolved.edit
    )
    assert editor.uri not in pulling_client.diagnostics  # pulled, so never pushed
    editor.close()


async def test_crlf_document_keeps_its_line_endings(client: RecordingClient, project: Path):
    path = project / "windows.py"
    path.write_bytes(MODEL.replace("\n", "\r\n").encode("utf-8"))
    editor = Editor(client, path)
    assert editor.text.count("\r\n") == MODEL.count("\n")
    diagnostics = await editor.open()
    assert [d.code for d in diagnostics] == ["PIN001", "PIN004", "PIN001"]
    [fix] = [a for a in await editor.actions(diagnostics[1].range) if "torch.tensor" in a.title]
    diagnostics = await editor.apply(fix)
    [noqa] = [a for a in await editor.actions(diagnostics[0].range) if "noqa" in a.title]
    await editor.apply(noqa)
    lines = editor.text.split("\r\n")
    assert "\n" not in editor.text.replace("\r\n", "")
    assert lines[7].endswith("torch.empty(size))  # noqa: PIN001")
    assert lines[8].endswith("torch.tensor([0.5, 0.25], dtype=torch.float32))")
    editor.close()


FRAMEWORK_LAYER = """\
from torch import nn


class FrameworkLayer(nn.Module):
    def init_weights(self):
        nn.init.trunc_normal_(self.query, std=0.02)
        nn.init.zeros_(self.offset)
"""

POOLER = """\
import torch
from torch import nn

from .layers.base import FrameworkLayer


class AttentionPooler(FrameworkLayer):
    def __init__(self, dim):
        super().__init__()
        self.query = nn.Parameter(torch.empty(1, dim))
        self.offset = nn.Parameter(torch.empty(dim))
        self.init_weights()
"""


async def test_an_unsaved_buffer_is_judged_with_its_bases_on_disk(client: RecordingClient, project: Path):
    """The initializer lives in a base of another file, found through a relative import; the
    buffer's unsaved text is analysed as that file, and an edit of the base on disk counts."""
    write(project, "pkg/__init__.py", "")
    write(project, "pkg/layers/__init__.py", "")
    base = write(project, "pkg/layers/base.py", FRAMEWORK_LAYER)
    editor = Editor(client, write(project, "pkg/pooler.py", POOLER))
    assert await editor.open() == []  # the base's init_weights writes both
    unsaved = POOLER.replace("        self.init_weights()\n", "")
    assert [(d.code, d.range.start.line + 1) for d in await editor.change(unsaved)] == [("PIN003", 10), ("PIN003", 11)]
    base.write_text(FRAMEWORK_LAYER.replace("        nn.init.zeros_(self.offset)\n", ""), encoding="utf-8")
    assert [(d.code, d.range.start.line + 1) for d in await editor.change(POOLER)] == [("PIN001", 11)]
    editor.close()


async def test_a_stale_change_never_publishes_an_older_version(client: RecordingClient, project: Path):
    """Versions arriving out of order (5, then 3): diagnostics for 3 are never published after
    those for 5, and the server keeps version 5's text (code actions still answer for it)."""
    newest = "import torch\n\nMEAN = torch.FloatTensor([0.5, 0.25])\n"
    stale = "import torch\nfrom torch import nn\n\nW = nn.Parameter(torch.empty(3))\n"
    editor = Editor(client, write(project, "out_of_order.py", "import torch\n"))
    assert await editor.open() == []
    editor.version = 4
    [diagnostic] = await editor.change(newest)
    assert (diagnostic.code, editor.version) == ("PIN004", 5)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=editor.uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=stale)],
        )
    )
    actions = await editor.actions(diagnostic.range)  # answered after the stale change was handled
    assert any("torch.tensor" in action.title for action in actions)
    [after] = await editor.change(newest.replace("\n\n", "\n\n\n"))  # version 6: queued behind any publish of 3
    assert (after.code, after.range.start.line) == ("PIN004", 3)
    assert [p.version for p in client.published if p.uri == editor.uri] == []  # 3 was never published
    editor.close()
