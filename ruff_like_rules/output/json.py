"""``json``: a list of findings shaped like Ruff's JSON output (1-based columns). In a
notebook, ``cell`` is the cell's number and rows count within that cell, as in Ruff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ruff_like_rules.engine.diagnostics import Finding, Position

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def finding_object(result: FileResult, finding: Finding) -> dict[str, Any]:
    from ruff_like_rules.rules import rule_by_code

    rule = rule_by_code(finding.code)
    cell, start = result.locate(finding.start)

    def location(position: Position) -> dict[str, int]:
        local = result.locate(position)[1]
        return {"row": local.line, "column": local.column + 1}

    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "message": finding.fix.message,
            "edits": [
                {"content": edit.content, "location": location(edit.start), "end_location": location(edit.end)}
                for edit in finding.fix.edits
            ],
        }
    return {
        "cell": cell,
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": str(result.path),
        "location": location(finding.start),
        "end_location": location(finding.end),
        "noqa_row": start.line,
        "fix": fix,
        "url": rule.url() if rule is not None else None,
    }


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    objects = [finding_object(result, finding) for result in results for finding in result.findings]
    json.dump(objects, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
