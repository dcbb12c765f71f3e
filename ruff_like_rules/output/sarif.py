"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every known rule is described in ``tool.driver.rules`` (its doc as ``help.markdown``);
results point into it by ``ruleIndex``. File locations are relative to the working
directory under ``uriBaseId`` ``%SRCROOT%``, which is what code scanning resolves
against the checkout; files outside it keep an absolute ``file:`` URI.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ruff_like_rules.engine.diagnostics import Finding
from ruff_like_rules.workspace.cache import tool_version

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule
    from ruff_like_rules.workspace.runner import FileResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/paraminit/paraminit"
SOURCE_ROOT = "%SRCROOT%"


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc or rule.summary},
        "help": {"text": doc or rule.summary, "markdown": doc or rule.summary},
        "helpUri": rule.url(),
        "properties": {"preview": rule.preview, "fix_availability": rule.fix_availability.value},
    }


def unlisted_descriptor(finding: Finding) -> dict[str, Any]:
    """For codes that are no rule of the catalogue: PIN000, a file that could not be checked."""
    return {"id": finding.code, "name": finding.name, "shortDescription": {"text": finding.name.replace("-", " ")}}


def artifact_location(path: Path, root: Path) -> dict[str, str]:
    try:
        return {"uri": path.relative_to(root).as_posix(), "uriBaseId": SOURCE_ROOT}
    except ValueError:
        return {"uri": path.as_uri()}


def result_object(result: FileResult, finding: Finding, index: int, root: Path) -> dict[str, Any]:
    """One result; in a notebook the region counts within the cell, named in ``properties.cell``."""
    cell, start = result.locate(finding.start)
    end = result.locate(finding.end)[1]
    region = {
        "startLine": start.line,
        "startColumn": start.column + 1,
        "endLine": end.line,
        "endColumn": end.column + 1,
    }
    extra = {"properties": {"cell": cell}} if cell is not None else {}
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(result.path, root), "region": region}}],
        **extra,
    }


def document(results: Sequence[FileResult], root: Path) -> dict[str, Any]:
    from ruff_like_rules.rules import ALL_RULES

    descriptors = [rule_descriptor(rule) for rule in ALL_RULES]
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    sarif_results = []
    for result in results:
        for finding in result.findings:
            if finding.code not in index:
                index[finding.code] = len(descriptors)
                descriptors.append(unlisted_descriptor(finding))
            sarif_results.append(result_object(result, finding, index[finding.code], root))
    driver = {"name": "paraminit", "informationUri": INFORMATION_URI, "version": tool_version(), "rules": descriptors}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.as_uri() + "/"}},
                "results": sarif_results,
            }
        ],
    }


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    json.dump(document(results, Path.cwd()), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
