"""What the CLI says when the user got something wrong: plain words and a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import BUGGY, EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_jobs_must_be_a_positive_integer(tmp_path: Path, value: str):
    done = run(tmp_path, "check", "-j", value)
    assert done.returncode == 2 and f"--jobs expects a positive integer, got '{value}'" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("settings", "args", "message"),
    [
        ('[tool.paraminit]\nselct = ["PIN"]\n', (), "unknown key `selct` in [tool.paraminit] (did you mean `select`?)"),
        ('[tool.paraminit]\nextend-exlude = ["x"]\n', (), "(did you mean `extend-exclude`?)"),
        ('[tool.paraminit]\nignore = ["PIN0O1"]\n', (), "unknown rule selector `PIN0O1` (did you mean `PIN001`?)"),
        ("", ("--select", "PN001"), "unknown rule selector `PN001` (did you mean `PIN001`?)"),
    ],
)
def test_unknown_keys_and_codes_get_a_suggestion(tmp_path: Path, settings: str, args: tuple[str, ...], message: str):
    (tmp_path / "pyproject.toml").write_text(settings, encoding="utf-8")
    (tmp_path / "layer.py").write_text(BUGGY, encoding="utf-8")
    done = run(tmp_path, "check", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_rule_command_suggests_a_code(tmp_path: Path):
    done = run(tmp_path, "rule", "PIN0001")
    assert done.returncode == 2 and "unknown rule `PIN0001` (did you mean `PIN001`?)" in done.stderr, done.stderr


def test_no_suggestion_when_nothing_is_close(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.paraminit]\nzzz = 1\n', encoding="utf-8")
    done = run(tmp_path, "check")
    assert "did you mean" not in done.stderr and "(known: " in done.stderr
