"""The Ruff conveniences through the real CLI: file selection, noqa, fixes, output, settings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from test_cli import BUGGY, EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

LEGACY = "import torch\na = torch.FloatTensor([1.0, 2.0])\n"  # PIN004, with a safe fix
QUIET = "import torch\na = torch.FloatTensor([1.0, 2.0])  # noqa: PIN004\n"


def checked(done) -> list[str]:
    return sorted(line.split(":")[0] for line in done.stdout.splitlines() if " PIN" in line)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("src/a.py", "src/gen/b.py", "tests/test_c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(LEGACY)
    return tmp_path


def test_version_command(tmp_path: Path):
    assert run(tmp_path, "version").stdout == run(tmp_path, "--version").stdout == "paraminit 0.1.0\n"
    assert json.loads(run(tmp_path, "version", "--output-format", "json").stdout) == {"version": "0.1.0"}


def test_exclude_and_extend_exclude_on_the_command_line(tree: Path):
    (tree / "pyproject.toml").write_text('[tool.paraminit]\nextend-exclude = ["tests"]\n')
    base = ("check", "--no-cache", "--output-format", "concise")
    assert checked(run(tree, *base)) == ["src/a.py", "src/gen/b.py"]
    assert checked(run(tree, *base, "--extend-exclude", "gen")) == ["src/a.py"]
    assert checked(run(tree, *base, "--exclude", "a.py")) == ["src/gen/b.py"]  # the file's extend-exclude stays


def test_per_file_ignores_on_the_command_line_and_extend_in_settings(tree: Path):
    (tree / "pyproject.toml").write_text('[tool.paraminit.per-file-ignores]\n"tests/*" = ["PIN004"]\n\n'
                                         '[tool.paraminit.extend-per-file-ignores]\n"src/gen/*" = ["PIN0"]\n')
    base = ("check", "--no-cache", "--output-format", "concise")
    assert checked(run(tree, *base)) == ["src/a.py"]
    assert checked(run(tree, *base, "--extend-per-file-ignores", "src/a.py:PIN004")) == []
    assert checked(run(tree, *base, "--per-file-ignores", "src/a.py:PIN004")) == ["tests/test_c.py"]  # replaced
    bad = run(tree, *base, "--per-file-ignores", "PIN004")
    assert bad.returncode == 2 and "expected GLOB:CODES" in bad.stderr


def test_no_respect_gitignore(tree: Path):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("gen/\n")
    base = ("check", "--no-cache", "--output-format", "concise", "src")
    assert checked(run(tree, *base)) == ["src/a.py"]
    assert checked(run(tree, *base, "--no-respect-gitignore")) == ["src/a.py", "src/gen/b.py"]
    (tree / "pyproject.toml").write_text("[tool.paraminit]\nrespect-gitignore = false\n")
    assert checked(run(tree, *base)) == ["src/a.py", "src/gen/b.py"]


def test_ignore_noqa(tmp_path: Path):
    (tmp_path / "m.py").write_text(QUIET)
    assert run(tmp_path, "check", "--no-cache").returncode == 0
    done = run(tmp_path, "check", "--no-cache", "--ignore-noqa", "--output-format", "concise")
    assert done.returncode == 1 and " PIN004 " in done.stdout and "PIN100" not in done.stdout


def test_output_file(tmp_path: Path):
    (tmp_path / "m.py").write_text(LEGACY)
    done = run(tmp_path, "check", "--no-cache", "--output-format", "json", "--output-file", "out/r.json",
               FORCE_COLOR="1")
    assert done.returncode == 2 and "out/r.json" in done.stderr  # a directory that does not exist
    (tmp_path / "out").mkdir()
    done = run(tmp_path, "check", "--no-cache", "--output-file", "out/r.txt", "--color", "always")
    assert (done.returncode, done.stdout) == (1, "")
    text = (tmp_path / "out" / "r.txt").read_text()
    assert "m.py:2:5: PIN004 [*]" in text and "\x1b[" not in text and "Found 1 error." in text


def test_fix_only_and_exit_non_zero_on_fix(tmp_path: Path):
    (tmp_path / "m.py").write_text(LEGACY)
    (tmp_path / "p.py").write_text(BUGGY)  # PIN001 stays: its fix is unsafe
    done = run(tmp_path, "check", "--no-cache", "--fix-only")
    assert (done.returncode, done.stdout) == (0, "Fixed 1 error.\n"), done.stderr
    assert "torch.tensor([1.0, 2.0], dtype=torch.float32)" in (tmp_path / "m.py").read_text()
    assert run(tmp_path, "check", "--no-cache", "--fix-only").stdout == "No errors fixed.\n"
    (tmp_path / "n.py").write_text(LEGACY)
    assert run(tmp_path, "check", "--no-cache", "--fix", "--exit-non-zero-on-fix", "n.py").returncode == 1
    assert run(tmp_path, "check", "--no-cache", "--fix", "--exit-non-zero-on-fix", "n.py").returncode == 0


@pytest.mark.parametrize(
    ("settings", "args"),
    [("[tool.paraminit]\nunfixable = [\"PIN004\"]\n", ()), ("[tool.paraminit]\nfixable = [\"PIN001\"]\n", ()),
     ("", ("--unfixable", "PIN00")), ("", ("--fixable", "PIN001"))],
)
def test_fixable_and_unfixable(tmp_path: Path, settings: str, args: tuple[str, ...]):
    (tmp_path / "pyproject.toml").write_text(settings)
    (tmp_path / "m.py").write_text(LEGACY)
    done = run(tmp_path, "check", "--no-cache", "--fix", *args)
    assert done.returncode == 1 and " PIN004 " in done.stdout and "[*]" not in done.stdout
    assert (tmp_path / "m.py").read_text() == LEGACY


def test_extend_inherits_and_overrides_settings(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.paraminit]\nselect = ["PIN004"]\nextend-exclude = ["skipped"]\n'
        '[tool.paraminit.per-file-ignores]\n"pkg/quiet.py" = ["PIN004"]\n')
    pkg = tmp_path / "pkg"
    (pkg / "skipped").mkdir(parents=True)
    (pkg / "paraminit.toml").write_text('extend = "../pyproject.toml"\nextend-exclude = ["other"]\n'
                                        '[extend-per-file-ignores]\n"loud.py" = ["PIN004"]\n')
    for name in ("a.py", "loud.py", "skipped/s.py", "quiet.py"):
        (pkg / name).write_text(LEGACY + "b = torch.Tensor(3, 3)\nprint(b)\n")  # PIN004 and PIN002
    done = run(tmp_path, "check", "--no-cache", "--output-format", "concise")
    # select from the base (no PIN002); its exclude and its per-file-ignores (a path from pkg/) apply
    assert [line.split(": ")[0].split(":")[0] + " " + line.split()[1] for line in done.stdout.splitlines()
            if " PIN" in line] == ["pkg/a.py PIN004", "pkg/quiet.py PIN004"], done.stdout + done.stderr
    (pkg / "paraminit.toml").write_text('extend = "paraminit.toml"\n')
    loop = run(tmp_path, "check", "--no-cache")
    assert loop.returncode == 2 and "extends back to itself" in loop.stderr


def test_show_settings(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.paraminit]\nselect = ["PIN004"]\nunfixable = ["PIN004"]\n')
    (tmp_path / "m.py").write_text(LEGACY)
    done = run(tmp_path, "check", "--show-settings", "m.py")
    assert done.returncode == 0
    assert f"Settings path: {tmp_path / 'pyproject.toml'}" in done.stdout
    assert 'rules (enabled) = ["PIN004"]' in done.stdout and 'unfixable (in effect) = ["PIN004"]' in done.stdout


def test_add_noqa(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(LEGACY + "c = torch.FloatTensor([1.0])  # noqa: E501\ns = '''\ntorch.FloatTensor([1.0])'''\n")
    done = run(tmp_path, "check", "--no-cache", "--add-noqa")
    assert done.returncode == 0 and "Added 2 noqa directives." in done.stderr, done.stderr
    assert path.read_text().splitlines()[1:3] == ["a = torch.FloatTensor([1.0, 2.0])  # noqa: PIN004",
                                                  "c = torch.FloatTensor([1.0])  # noqa: E501, PIN004"]
    assert run(tmp_path, "check", "--no-cache").returncode == 0


def test_watch_checks_again_when_a_file_changes(tmp_path: Path):
    import queue
    import threading
    import time

    (tmp_path / "m.py").write_text("import torch\n")
    process = subprocess.Popen([EXECUTABLE or "paraminit", "check", "--watch", "--no-cache", "--output-format",
                                "concise"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        assert lines.get(timeout=60) == "All checks passed!\n"
        assert "Watching for file changes." in lines.get(timeout=60)
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while not any(" PIN004 " in line for line in seen):
            assert time.monotonic() < deadline, seen
            (tmp_path / "m.py").write_text(LEGACY)  # again until the watcher (starting up) sees a change
            try:
                seen.append(lines.get(timeout=2))
            except queue.Empty:
                continue
        assert any("File change detected" in line for line in seen)
        assert process.poll() is None  # still watching
    finally:
        process.terminate()
        process.wait(timeout=10)
