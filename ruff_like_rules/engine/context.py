"""What a rule sees of one file: the parsed chunks, positions, torch names, and the analyses.

Each analysis is built the first time a rule asks for it and shared by the rules after it,
so a rule pays only for what it reads: the ``index`` (one walk: classes, functions, what each
does) serves reporting and the registration rules; ``storages`` adds the tensors that become
parameters; ``flow`` judges each of them, the costly part. Positions are resolved per chunk
and only when a rule reports something there: resolving them costs more than parsing.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Protocol

import libcst as cst

from ruff_like_rules.analysis.collector import index_file
from ruff_like_rules.analysis.flow import InitFlow
from ruff_like_rules.analysis.index import FileIndex, ForeignClasses
from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.analysis.registration import Registration
from ruff_like_rules.analysis.storages import Provenance, Storage, find_storages
from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.vocabulary.torch_names import TorchNames


class Reporter(Protocol):
    """Who a finding is from: a rule's code and name."""

    code: ClassVar[str]
    name: ClassVar[str]


class FileContext:
    def __init__(
        self, chunks: list[ParsedChunk], text: str, options: AnalysisOptions, foreign: ForeignClasses | None = None
    ) -> None:
        self.chunks = chunks
        self.text = text
        self.options = options
        self.foreign = foreign
        self.names = TorchNames([chunk.module for chunk in chunks])

    @cached_property
    def index(self) -> FileIndex:
        """The classes and functions of the file and what each does (no verdicts)."""
        index = index_file(self.chunks, self.names, self.options)
        index.foreign = self.foreign
        return index

    @cached_property
    def provenance(self) -> Provenance:
        """Which storages an expression evaluates to, each local followed once."""
        return Provenance(self.names)

    @cached_property
    def storages(self) -> list[Storage]:
        """The tensors that become parameters or buffers, not yet judged."""
        return find_storages(self.index, self.provenance)

    @cached_property
    def flow(self) -> InitFlow:
        """Every storage with its verdict: whether anything initializes it."""
        return InitFlow(self.index, self.storages, self.options, self.provenance)

    @cached_property
    def registration(self) -> Registration:
        """The module classes and their construction facts, shared by the registration rules."""
        return Registration(self.index, self.text, self.code)

    def span(self, node: cst.CSTNode) -> tuple[Position, Position]:
        chunk = self.index.chunk_of(node)
        code_range = chunk.positions[node]
        offset = chunk.first_line - 1
        return (
            Position(code_range.start.line + offset, code_range.start.column),
            Position(code_range.end.line + offset, code_range.end.column),
        )

    def code(self, node: cst.CSTNode) -> str:
        """The source of ``node``, in the file's own line endings and indentation."""
        return self.chunks[0].module.code_for_node(node)

    def finding(self, rule: Reporter, node: cst.CSTNode, message: str, fix: Fix | None = None) -> Finding:
        start, end = self.span(node)
        return Finding(rule.code, rule.name, message, start, end, fix)

    def replacement(
        self, node: cst.CSTNode, new: cst.CSTNode, message: str, applicability: Applicability
    ) -> Fix:
        """A fix written as a node replacement, turned into a text edit over the node's range."""
        start, end = self.span(node)
        return Fix(message, (Edit(start, end, self.code(new)),), applicability)
