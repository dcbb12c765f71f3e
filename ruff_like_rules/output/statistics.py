"""``--statistics``: how many findings each code has, instead of the findings themselves."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def rows(results: Sequence[FileResult]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    fixable: set[str] = set()
    for result in results:
        for finding in result.findings:
            counts[finding.code] += 1
            names[finding.code] = finding.name
            if finding.fix is not None:
                fixable.add(finding.code)
    return [
        {"code": code, "name": names[code], "count": counts[code], "fixable": code in fixable}
        for code in sorted(counts, key=lambda code: (-counts[code], code))
    ]


def write(results: Sequence[FileResult], stream: TextIO, as_json: bool) -> None:
    table = rows(results)
    if as_json:
        json.dump(table, stream, indent=2)
        stream.write("\n")
        return
    count_width = max((len(str(row["count"])) for row in table), default=1)
    code_width = max((len(row["code"]) for row in table), default=1)
    for row in table:
        marker = "[*]" if row["fixable"] else "[ ]"
        stream.write(f"{row['count']:>{count_width}}\t{row['code']:<{code_width}}\t{marker} {row['name']}\n")
