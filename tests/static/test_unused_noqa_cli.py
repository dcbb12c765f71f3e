"""PIN100 (unused and invalid ``# noqa``) through the real CLI, with its safe fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

SOURCE = """\
import torch

a = torch.FloatTensor([1.0, 2.0])  # noqa: PIN004
b = torch.FloatTensor([1.0, 2.0])  # noqa: PIN001
c = torch.FloatTensor([1.0, 2.0])  # noqa: foo bar
d = 1  # noqa: E501, PIN004
e = 2  # noqa
"""


def lines(done) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith("m.py:")]


def test_stale_and_invalid_directives_are_reported(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    done = run(tmp_path, "check", "--no-cache", "--output-format", "concise", "--select", "PIN001,PIN004,PIN100")
    assert lines(done) == [
        "m.py:4:5: PIN004 [*] " + lines(done)[0].split(" [*] ", 1)[1],
        "m.py:4:36: PIN100 [*] Unused `noqa` directive (unused: `PIN001`)",
        "m.py:5:5: PIN004 [*] " + lines(done)[2].split(" [*] ", 1)[1],  # invalid: suppresses nothing
        "m.py:5:36: PIN100 Invalid `# noqa` directive: expected rule codes after `noqa:` (such as "
        "`# noqa: PIN001`); it suppresses nothing",
        "m.py:6:8: PIN100 [*] Unused `noqa` directive (unused: `PIN004`)",
    ], done.stdout


def test_pin100_is_on_by_default_and_quiet_about_rules_not_run(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    default = run(tmp_path, "check", "--no-cache", "--output-format", "concise")
    assert any(" PIN100 " in line for line in lines(default))
    only_pin001 = run(tmp_path, "check", "--no-cache", "--output-format", "concise", "--select", "PIN001,PIN100")
    assert [line.split()[1] for line in lines(only_pin001)] == ["PIN100", "PIN100"]  # line 4's PIN001 and line 5


def test_the_fix_removes_only_what_suppresses_nothing(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN100", "--extend-select", "PIN001,PIN004", "--fix")
    assert "Found" in done.stdout, done.stdout + done.stderr
    fixed = path.read_text().splitlines()
    assert fixed[2] == "a = torch.FloatTensor([1.0, 2.0])  # noqa: PIN004"
    assert fixed[3] == "b = torch.tensor([1.0, 2.0], dtype=torch.float32)"  # directive gone, then PIN004 fixed
    assert fixed[5:] == ["d = 1  # noqa: E501", "e = 2  # noqa"]
    again = run(tmp_path, "check", "--no-cache", "--select", "PIN100,PIN004", "--output-format", "concise")
    assert fixed[4] == "c = torch.tensor([1.0, 2.0], dtype=torch.float32)  # noqa: foo bar"
    assert [line.split()[1] for line in lines(again)] == ["PIN100"]  # line 5's invalid directive: no fix
