"""The flake8 plugin: ``flake8 --select PIN`` reports what ``paraminit check`` reports.

flake8 owns the selection: every stable rule runs, and flake8's ``--select``,
``--ignore``, ``per-file-ignores`` and ``# noqa`` decide what is shown (preview rules stay
with ``paraminit``). The analysis options — ``initializer-methods`` and ``init-functions``
— come from the ``[tool.paraminit]`` settings that govern the checked file, as they would
for ``paraminit check``. The plugin reads the ``lines`` flake8 already has, never the file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE
from ruff_like_rules.engine.noqa import UNUSED_NOQA_CODE
from ruff_like_rules.workspace.cache import tool_version

if TYPE_CHECKING:
    from ruff_like_rules.engine.settings import AnalysisSettings
    from ruff_like_rules.workspace.config import Resolver

STDIN_NAMES = frozenset({"stdin", "-"})


@lru_cache(maxsize=1)
def _resolver() -> Resolver:
    from ruff_like_rules.workspace.config import Resolver

    return Resolver()


def _settings(filename: str) -> AnalysisSettings:
    from ruff_like_rules.rules import ALL_RULES

    # flake8 applies ``# noqa`` itself (and would let a directive silence PIN100), so PIN100 stays with paraminit
    stable = tuple(rule for rule in ALL_RULES if not rule.preview and rule.code != UNUSED_NOQA_CODE)
    resolver = _resolver()
    path = resolver.cwd / ("__stdin__.py" if filename in STDIN_NAMES else filename)
    return replace(resolver.settings_for(path), rules=stable)


class Flake8Plugin:
    """A whole-file checker. flake8 classifies plugins by their parameters and runs those
    that take ``tree`` once per file; the ``ast`` tree itself is of no use to a libcst
    analysis, which reads the ``lines`` flake8 decoded."""

    name = "paraminit"
    version = tool_version()

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        from ruff_like_rules.engine.analyze import analyze_source
        from ruff_like_rules.workspace.config import ConfigError

        try:
            settings = _settings(self.filename)
        except ConfigError as error:
            yield 1, 0, f"{PARSE_ERROR_CODE} invalid paraminit settings: {error}", type(self)
            return
        origin = Path(self.filename) if self.filename not in ("stdin", "-") else None
        for finding in analyze_source("".join(self.lines), settings, origin=origin):
            if finding.code == PARSE_ERROR_CODE:
                continue  # flake8 reports syntax errors itself (E999)
            yield finding.start.line, finding.start.column, f"{finding.code} {finding.message}", type(self)
