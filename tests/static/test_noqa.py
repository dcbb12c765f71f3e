"""``# noqa`` and ``# paraminit: noqa`` suppress findings like Ruff's; strings never do."""

from __future__ import annotations

import textwrap

import pytest

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, PARSE_ERROR_NAME, Finding, Position
from ruff_like_rules.engine.noqa import filter_suppressed


def finding(line: int, code: str = "PIN001") -> Finding:
    return Finding(code, "some-rule", "message", Position(line, 4), Position(line, 9))


def kept(source: str, *findings: Finding) -> list[tuple[int, str]]:
    result = filter_suppressed(list(findings), textwrap.dedent(source))
    return [(f.start.line, f.code) for f in result]


@pytest.mark.parametrize(
    "comment",
    ["# noqa", "# NOQA", "#noqa", "# noqa: PIN001", "# noqa:PIN001", "# noqa: PIN002, PIN001", "# noqa: pin001",
     "# type: ignore  # noqa: PIN001 PIN003"],
)  # fmt: skip
def test_line_directive_suppresses_the_finding_on_its_line(comment: str) -> None:
    source = f"x = 1\nw = torch.empty(3)  {comment}\ny = torch.empty(2)\n"
    assert kept(source, finding(2), finding(3)) == [(3, "PIN001")]


def test_line_directive_for_other_codes_keeps_the_finding() -> None:
    source = "w = torch.empty(3)  # noqa: PIN002, PIN1\n"
    assert kept(source, finding(1)) == [(1, "PIN001")]


def test_a_code_prefix_suppresses_the_codes_it_starts_as_flake8_does() -> None:
    source = "w = torch.empty(3)  # noqa: PIN0\nv = torch.empty(3)  # noqa: pin00\n"
    assert kept(source, finding(1), finding(2)) == []


@pytest.mark.parametrize("comment", ["# noqa: foo bar", "# noqa:", "# noqa: see issue"])
def test_an_invalid_directive_suppresses_nothing(comment: str) -> None:
    assert kept(f"w = torch.empty(3)  {comment}\n", finding(1)) == [(1, "PIN001")]


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    source = 'w = f(torch.empty(3), "# noqa")\ns = """\n# noqa\n"""\n'
    assert kept(source, finding(1), finding(3)) == [(1, "PIN001"), (3, "PIN001")]


def test_file_directive_on_its_own_line_suppresses_everything() -> None:
    source = """\
        import torch
        # paraminit: noqa
        w = torch.empty(3)
    """
    assert kept(source, finding(3), finding(3, "PIN002")) == []


def test_file_directive_with_codes_suppresses_only_those() -> None:
    source = """\
        w = torch.empty(3)
        # paraminit: noqa: PIN002
    """
    assert kept(source, finding(1), finding(1, "PIN002")) == [(1, "PIN001")]


def test_file_directive_after_code_suppresses_nothing() -> None:
    # like Ruff's file-level directive, it must stand alone; nor is it a line directive
    source = "w = torch.empty(3)  # paraminit: noqa\nv = torch.empty(3)\n"
    assert kept(source, finding(1), finding(2)) == [(1, "PIN001"), (2, "PIN001")]


def test_parse_errors_are_never_suppressed() -> None:
    error = Finding(PARSE_ERROR_CODE, PARSE_ERROR_NAME, "cannot parse", Position(1, 0), Position(1, 0))
    assert kept("def (:  # noqa\n# paraminit: noqa\n", error) == [(1, PARSE_ERROR_CODE)]


def test_untokenizable_text_falls_back_to_line_comments() -> None:
    source = 'w = torch.empty(3)  # noqa: PIN001  # why\nv = 1  # noqa: PIN002\nx = """unterminated\n'
    assert kept(source, finding(1), finding(2)) == [(2, "PIN001")]
