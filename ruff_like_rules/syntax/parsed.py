"""A parsed block of a file and where its nodes are.

The prefilter cuts a file into chunks that libcst parses alone; each keeps the line it
starts on. Positions are resolved per chunk and only when asked for: resolving them costs
more than parsing, and only chunks that hold a finding need them.
"""

from __future__ import annotations

from functools import cached_property

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider


class ParsedChunk:
    def __init__(self, first_line: int, module: cst.Module) -> None:
        self.first_line = first_line
        self.module = module

    @cached_property
    def positions(self) -> dict[cst.CSTNode, CodeRange]:
        return MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)  # type: ignore[return-value]

    def at_line(self, first_line: int) -> ParsedChunk:
        """The same tree starting on another line (text above it grew or shrank), keeping
        positions already resolved: they count from the chunk's own first line."""
        if first_line == self.first_line:
            return self
        moved = ParsedChunk(first_line, self.module)
        if "positions" in self.__dict__:
            moved.__dict__["positions"] = self.__dict__["positions"]
        return moved
