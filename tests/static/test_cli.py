"""The installed ``paraminit`` command, run for real: exit codes, stdin, settings, subcommands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ruff_like_rules import cli
from ruff_like_rules.workspace.cache import tool_version

ROOT = Path(__file__).resolve().parents[2]

BUGGY = """\
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3, 4))
"""
CLEAN = BUGGY + "        nn.init.normal_(self.weight)\n"
EXECUTABLE = shutil.which("paraminit")
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")


def run(cwd: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | env
    return subprocess.run(
        [EXECUTABLE or "paraminit", *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=environment
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "buggy.py").write_text(BUGGY, encoding="utf-8")
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_findings_exit_1_and_show_the_summary(project: Path) -> None:
    done = run(project, "check")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("pkg/buggy.py:8:36: PIN001 ")
    assert "self.weight = nn.Parameter(torch.empty(3, 4))" in done.stdout
    hint = "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    assert done.stdout.endswith("Found 1 error.\n" + hint) and "\x1b[" not in done.stdout


def test_clean_files_exit_0(project: Path) -> None:
    done = run(project, "check", "pkg/clean.py")
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n")


def test_exit_zero_quiet_and_silent(project: Path) -> None:
    quiet = run(project, "check", "--quiet", "--exit-zero", "--output-format", "concise")
    assert quiet.returncode == 0 and quiet.stdout.splitlines() == [quiet.stdout.strip()]
    assert quiet.stdout.startswith("pkg/buggy.py:8:36: PIN001")
    silent = run(project, "check", "--silent")
    assert (silent.returncode, silent.stdout) == (1, "")


def test_selection_flags_override_the_settings(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.paraminit]\nignore = ["PIN001"]\n', encoding="utf-8")
    assert run(project, "check").returncode == 0
    assert run(project, "check", "--select", "PIN001").returncode == 1
    assert run(project, "check", "--extend-select", "PIN0", "--ignore", "PIN001").returncode == 0


def test_noqa_comment_suppresses(project: Path) -> None:
    source = BUGGY.replace("torch.empty(3, 4))", "torch.empty(3, 4))  # noqa: PIN001")
    (project / "pkg" / "buggy.py").write_text(source, encoding="utf-8")
    assert run(project, "check").returncode == 0


@pytest.mark.parametrize(
    ("settings", "args", "message"),
    [
        ('[tool.paraminit]\nselct = ["PIN"]\n', (), "pyproject.toml: unknown key `selct`"),
        ('[tool.paraminit]\nselect = ["PIN999"]\n', (), "pyproject.toml: `select`: unknown rule selector `PIN999`"),
        ("", ("--select", "XYZ"), "command line: unknown rule selector `XYZ`"),
        ("", ("--config", "missing.toml"), "settings file not found: missing.toml"),
    ],
)
def test_usage_and_settings_errors_exit_2(project: Path, settings: str, args: tuple[str, ...], message: str) -> None:
    (project / "pyproject.toml").write_text(settings, encoding="utf-8")
    done = run(project, "check", *args)
    assert done.returncode == 2 and message in done.stderr and done.stdout == ""


def test_bad_arguments_exit_2(project: Path) -> None:
    assert run(project, "check", "--output-format", "xml").returncode == 2
    assert run(project, "check", "--jobs", "0").returncode == 2
    assert run(project).returncode == 2


def test_stdin_is_checked_under_its_filename(project: Path) -> None:
    done = run(project, "check", "-", "--stdin-filename", "pkg/new.py", "--output-format", "concise", stdin=BUGGY)
    assert done.returncode == 1 and done.stdout.startswith("pkg/new.py:8:36: PIN001")
    assert run(project, "check", "-", stdin=CLEAN).returncode == 0
    implied = run(project, "check", "--stdin-filename", "x.py", stdin=BUGGY)
    assert implied.returncode == 1 and implied.stdout.startswith("x.py:8:36:")


def test_stdin_with_force_exclude_skips_an_excluded_name(project: Path) -> None:
    args = ("check", "--stdin-filename", "build/gen.py", "--force-exclude")
    assert run(project, *args, stdin=BUGGY).returncode == 0
    assert run(project, *args[:-1], stdin=BUGGY).returncode == 1


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit"])
def test_machine_formats_have_no_summary(project: Path, fmt: str) -> None:
    done = run(project, "check", "--output-format", fmt)
    assert done.returncode == 1 and "Found" not in done.stdout and "PIN001" in done.stdout
    if fmt in ("json", "sarif"):
        json.loads(done.stdout)


def test_statistics(project: Path) -> None:
    done = run(project, "check", "--statistics")
    assert (done.returncode, done.stdout) == (1, "1\tPIN001\t[ ] uninitialized-parameter\n")
    rows = json.loads(run(project, "check", "--statistics", "--output-format", "json").stdout)
    assert rows == [{"code": "PIN001", "name": "uninitialized-parameter", "count": 1, "fixable": False}]


def test_colour_follows_the_flag_and_environment(project: Path) -> None:
    assert "\x1b[" in run(project, "check", "--color", "always").stdout
    assert "\x1b[" in run(project, "check", FORCE_COLOR="1").stdout
    assert "\x1b[" not in run(project, "check", FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b[" not in run(project, "check", "--output-format", "json", "--color", "always").stdout


def test_cache_is_written_used_and_cleaned(project: Path) -> None:
    assert run(project, "check", "--no-cache").returncode == 1
    assert not (project / ".paraminit_cache").exists()
    first = run(project, "check")
    assert (project / ".paraminit_cache" / "CACHEDIR.TAG").is_file()
    assert len(list((project / ".paraminit_cache" / tool_version()).glob("*.json"))) == 1
    assert run(project, "check").stdout == first.stdout
    cleaned = run(project, "clean")
    assert cleaned.returncode == 0 and "Removed cache" in cleaned.stdout
    assert not (project / ".paraminit_cache").exists()


def test_show_files(project: Path) -> None:
    (project / ".venv").mkdir()
    (project / ".venv" / "x.py").write_text("", encoding="utf-8")
    done = run(project, "check", "--show-files")
    assert done.returncode == 0
    package = project.resolve() / "pkg"
    assert done.stdout.splitlines() == [str(package / "buggy.py"), str(package / "clean.py")]


def test_rule_explains_and_lists(project: Path) -> None:
    explained = run(project, "rule", "pin001")
    assert explained.returncode == 0 and explained.stdout.startswith("# uninitialized-parameter (PIN001)\n")
    assert "## What it does" in explained.stdout
    data = json.loads(run(project, "rule", "PIN001", "--output-format", "json").stdout)
    assert data["code"] == "PIN001" and data["explanation"].startswith("## What it does")
    listed = run(project, "rule", "--all").stdout.splitlines()
    assert listed[0].startswith("PIN001  uninitialized-parameter")
    assert len(json.loads(run(project, "rule", "--all", "--output-format", "json").stdout)) == len(listed)
    unknown = run(project, "rule", "PIN999")
    assert unknown.returncode == 2 and "unknown rule `PIN999`" in unknown.stderr


def test_version(project: Path) -> None:
    assert run(project, "--version").stdout == f"paraminit {tool_version()}\n"


def test_module_entry_point(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ruff_like_rules", "check", "pkg/clean.py"], cwd=project,
                          capture_output=True, text=True)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n")


def test_internal_error_is_short_and_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(self: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.chdir(project)
    monkeypatch.delenv("PARAMINIT_TRACEBACK", raising=False)
    monkeypatch.setattr("ruff_like_rules.workspace.runner.Runner.check_paths", explode)
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paraminit: internal error: RuntimeError: boom\n") and "Traceback" not in err


def test_server_without_pygls_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pygls" else real(name, *a))
    assert cli.main(["server"]) == 2
    err = capsys.readouterr().err
    # the hint works without a release: it names the `lsp` extra's own requirement
    lsp_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lsp"]
    assert [f"pip install '{requirement}'" in err for requirement in lsp_extra] == [True]
