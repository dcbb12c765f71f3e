"""Plain data shared by every stage: rules produce findings, outputs and fixers consume them.

Positions are 1-based lines and 0-based columns counted in characters of the decoded
text (what libcst reports); outputs that want 1-based columns add one themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


class Applicability(str, enum.Enum):
    """How far a fix may be trusted, in Ruff's terms."""

    SAFE = "safe"  # same behaviour, clearer code: applied by --fix
    UNSAFE = "unsafe"  # changes values on purpose: applied only with --unsafe-fixes


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (end exclusive) with ``content``."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    start: Position
    end: Position
    fix: Fix | None = field(default=None, compare=False)


PARSE_ERROR_CODE = "PIN000"
PARSE_ERROR_NAME = "parse-error"
