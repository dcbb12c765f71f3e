"""What a rule sees of one file: the parsed module, positions, torch names, settings.

Everything is computed once per file and shared by the rules, including the
initialization-flow analysis that PIN001-PIN003 and the preview rules all read.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ruff_like_rules.model import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.torchnames import TorchNames

if TYPE_CHECKING:
    from ruff_like_rules.analyzer import AnalysisSettings
    from ruff_like_rules.initflow import InitFlow
    from ruff_like_rules.rules.base import Rule


class FileContext:
    def __init__(self, module: cst.Module, text: str, settings: AnalysisSettings) -> None:
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = module
        self.text = text
        self.settings = settings
        self.names = TorchNames(module)

    @cached_property
    def _positions(self) -> dict[cst.CSTNode, CodeRange]:
        return self.wrapper.resolve(PositionProvider)  # type: ignore[return-value]

    @cached_property
    def flow(self) -> InitFlow:
        from ruff_like_rules.initflow import InitFlow

        return InitFlow(self)

    def span(self, node: cst.CSTNode) -> tuple[Position, Position]:
        code_range = self._positions[node]
        return (
            Position(code_range.start.line, code_range.start.column),
            Position(code_range.end.line, code_range.end.column),
        )

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def finding(self, rule: type[Rule] | Rule, node: cst.CSTNode, message: str, fix: Fix | None = None) -> Finding:
        start, end = self.span(node)
        return Finding(rule.code, rule.name, message, start, end, fix)

    def replacement(
        self, node: cst.CSTNode, new: cst.CSTNode, message: str, applicability: Applicability
    ) -> Fix:
        """A fix written as a node replacement, turned into a text edit over the node's range."""
        start, end = self.span(node)
        return Fix(message, (Edit(start, end, self.code(new)),), applicability)
