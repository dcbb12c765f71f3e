"""``junit``: JUnit XML, one test suite per file with findings and one failing test case per
finding, so CI test reporters show them; a clean run is one passing case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO
from xml.etree import ElementTree

from ruff_like_rules.output.concise import place

if TYPE_CHECKING:
    from ruff_like_rules.workspace.runner import FileResult


def write(results: Sequence[FileResult], stream: TextIO, color: bool) -> None:
    total = sum(len(result.findings) for result in results)
    root = ElementTree.Element(
        "testsuites", name="paraminit", tests=str(max(total, 1)), failures=str(total), errors="0"
    )
    for result in results:
        if not result.findings:
            continue
        count = str(len(result.findings))
        suite = ElementTree.SubElement(
            root, "testsuite", name=result.display, tests=count, failures=count, errors="0", skipped="0"
        )
        classname = result.display.rsplit(".", 1)[0].replace("/", ".")
        for f in result.findings:
            start = result.locate(f.start)[1]
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{f.code} {f.name}",
                classname=classname,
                file=result.display,
                line=str(start.line),
            )
            failure = ElementTree.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"{place(result, f)}: {f.code} {f.message}"
    if total == 0:
        suite = ElementTree.SubElement(root, "testsuite", name="paraminit", tests="1", failures="0", errors="0")
        ElementTree.SubElement(suite, "testcase", name="No errors found", classname="paraminit")
    ElementTree.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ElementTree.tostring(root, encoding="unicode"))
    stream.write("\n")
