"""What a rule sees of one file: the parsed chunks, positions, torch names, settings.

Everything is computed once per file and shared by the rules, including the
initialization-flow analysis that every rule reads. Positions are resolved per chunk and
only when a rule reports something there: resolving them costs more than parsing.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.syntax.parsed import ParsedChunk
from ruff_like_rules.vocabulary.torch_names import TorchNames

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule
    from ruff_like_rules.engine.settings import AnalysisSettings
    from ruff_like_rules.initflow import InitFlow
    from ruff_like_rules.registration import Registration


class FileContext:
    def __init__(self, chunks: list[ParsedChunk], text: str, settings: AnalysisSettings) -> None:
        self.chunks = chunks
        self.text = text
        self.settings = settings
        self.names = TorchNames([chunk.module for chunk in chunks])

    @cached_property
    def flow(self) -> InitFlow:
        from ruff_like_rules.initflow import InitFlow

        return InitFlow(self)

    @cached_property
    def registration(self) -> Registration:
        """The module classes and their construction facts, shared by the registration rules."""
        from ruff_like_rules.registration import Registration

        return Registration(self)

    def span(self, node: cst.CSTNode) -> tuple[Position, Position]:
        chunk = self.flow.chunk_of(node)
        code_range = chunk.positions[node]
        offset = chunk.first_line - 1
        return (
            Position(code_range.start.line + offset, code_range.start.column),
            Position(code_range.end.line + offset, code_range.end.column),
        )

    def code(self, node: cst.CSTNode) -> str:
        return self.chunks[0].module.code_for_node(node)

    def finding(self, rule: type[Rule] | Rule, node: cst.CSTNode, message: str, fix: Fix | None = None) -> Finding:
        start, end = self.span(node)
        return Finding(rule.code, rule.name, message, start, end, fix)

    def replacement(
        self, node: cst.CSTNode, new: cst.CSTNode, message: str, applicability: Applicability
    ) -> Fix:
        """A fix written as a node replacement, turned into a text edit over the node's range."""
        start, end = self.span(node)
        return Fix(message, (Edit(start, end, self.code(new)),), applicability)
