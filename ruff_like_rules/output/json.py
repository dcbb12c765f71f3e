"""``json``: a list of findings shaped like Ruff's JSON output (1-based columns)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ruff_like_rules.engine.diagnostics import Finding, Position

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def location(position: Position) -> dict[str, int]:
    return {"row": position.line, "column": position.column + 1}


def finding_object(result: FileResult, finding: Finding) -> dict[str, Any]:
    from ruff_like_rules.rules import rule_by_code

    rule = rule_by_code(finding.code)
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
        "cell": None,
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": str(result.path),
        "location": location(finding.start),
        "end_location": location(finding.end),
        "noqa_row": finding.start.line,
        "fix": fix,
        "url": rule.url() if rule is not None else None,
    }


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    objects = [finding_object(result, finding) for result in results for finding in result.findings]
    json.dump(objects, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
