"""``paraminit check --fix / --unsafe-fixes / --diff / --show-fixes``, run for real on files:
exit codes, summaries, encodings and line endings kept, atomic writes."""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

EXECUTABLE = shutil.which("paraminit")
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

LEGACY = """\
import torch

a = torch.FloatTensor(2, 2)
print(a)
"""
LEGACY_FIXED = LEGACY.replace("torch.FloatTensor(2, 2)", "torch.empty(2, 2, dtype=torch.float32)")
# the fix machinery's cases use PIN004's safe rewrite (PIN002's is unsafe since issue 12 item 6)
DATA = LEGACY.replace("torch.FloatTensor(2, 2)", "torch.FloatTensor([1.0, 2.0])")
DATA_FIXED = DATA.replace("torch.FloatTensor([1.0, 2.0])", "torch.tensor([1.0, 2.0], dtype=torch.float32)")
UNINITIALIZED = """\
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        self.bias = nn.Parameter(torch.empty(n_out))
"""


def run(cwd: Path, *args: str, stdin: str = "", limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}

    def limit() -> None:
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [EXECUTABLE or "paraminit", "check", "--no-cache", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        preexec_fn=limit,
    )


def test_fix_applies_fixes_and_exits_0_when_nothing_remains(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text(LEGACY)
    assert run(tmp_path, "--fix", "legacy.py").returncode == 1  # PIN002's rewrite is unsafe (issue 12 item 6)
    assert (tmp_path / "legacy.py").read_text() == LEGACY
    done = run(tmp_path, "--fix", "--unsafe-fixes", "legacy.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "Found 1 error (1 fixed, 0 remaining).\n"
    assert (tmp_path / "legacy.py").read_text() == LEGACY_FIXED
    again = run(tmp_path, "--fix", "--unsafe-fixes", "legacy.py")
    assert (again.returncode, again.stdout) == (0, "All checks passed!\n")


def test_unsafe_fixes_are_hidden_and_not_applied_without_the_flag(tmp_path: Path) -> None:
    (tmp_path / "layer.py").write_text(UNINITIALIZED)
    done = run(tmp_path, "--output-format", "concise", "layer.py")
    assert "[*]" not in done.stdout
    assert done.stdout.endswith(
        "Found 2 errors.\nNo fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )
    fixed = run(tmp_path, "--fix", "layer.py")
    assert fixed.returncode == 1
    assert (tmp_path / "layer.py").read_text() == UNINITIALIZED
    shown = run(tmp_path, "--unsafe-fixes", "--output-format", "concise", "layer.py")
    assert shown.stdout.count("PIN001 [*]") == 2
    assert shown.stdout.endswith("Found 2 errors.\n[*] 2 fixable with the `--fix` option.\n")


def test_machine_formats_carry_unsafe_fixes_with_their_applicability(tmp_path: Path) -> None:
    (tmp_path / "layer.py").write_text(UNINITIALIZED)
    findings = json.loads(run(tmp_path, "--output-format", "json", "layer.py").stdout)
    assert [f["fix"]["applicability"] for f in findings] == ["unsafe", "unsafe"]


def test_mixed_summary_counts_shown_and_hidden_fixes(tmp_path: Path) -> None:
    # a safe fix (PIN004; PIN002's is unsafe since issue 12 item 6) beside two unsafe ones
    (tmp_path / "legacy.py").write_text("import torch\nx = torch.FloatTensor([1.0, 2.0])\nprint(x)\n")
    (tmp_path / "layer.py").write_text(UNINITIALIZED)
    done = run(tmp_path, "--output-format", "concise")
    assert done.stdout.endswith(
        "Found 3 errors.\n[*] 1 fixable with the `--fix` option "
        "(2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )
    fixed = run(tmp_path, "--fix", "--output-format", "concise")
    assert fixed.returncode == 1  # findings remain
    assert fixed.stdout.endswith(
        "Found 3 errors (1 fixed, 2 remaining).\n"
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )
    assert "legacy.py" not in fixed.stdout


def test_unsafe_fix_leaves_a_file_paraminit_accepts(tmp_path: Path) -> None:
    (tmp_path / "layer.py").write_text(UNINITIALIZED)
    done = run(tmp_path, "--fix", "--unsafe-fixes", "--show-fixes", "layer.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == (
        "Fixed 2 errors:\n- layer.py:\n    2 \u00d7 PIN001 (uninitialized-parameter)\n\n"
        "Found 2 errors (2 fixed, 0 remaining).\n"
    )
    text = (tmp_path / "layer.py").read_text()
    assert text.startswith("import math\nimport torch\n")
    assert "        self.reset_parameters()\n\n    def reset_parameters(self):\n" in text
    assert run(tmp_path, "layer.py").returncode == 0


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text(DATA)
    done = run(tmp_path, "--diff", "legacy.py")
    assert done.returncode == 1
    assert done.stdout.startswith("--- a/legacy.py\n+++ b/legacy.py\n@@ ")
    assert "-a = torch.FloatTensor([1.0, 2.0])\n+a = torch.tensor([1.0, 2.0], dtype=torch.float32)\n" in done.stdout
    assert done.stderr == "Would fix 1 error.\n"
    assert (tmp_path / "legacy.py").read_text() == DATA
    (tmp_path / "legacy.py").write_text(DATA_FIXED)
    clean = run(tmp_path, "--diff", "legacy.py")
    assert (clean.returncode, clean.stdout) == (0, "")


def test_line_endings_bom_and_coding_cookie_are_kept(tmp_path: Path) -> None:
    crlf = DATA.replace("\n", "\r\n").encode()
    bom = b"\xef\xbb\xbf" + DATA.encode()
    latin = ("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + DATA).encode("latin-1")
    files = {"crlf.py": crlf, "bom.py": bom, "latin.py": latin}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    done = run(tmp_path, "--fix", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    old, new = b"torch.FloatTensor([1.0, 2.0])", b"torch.tensor([1.0, 2.0], dtype=torch.float32)"
    for name, data in files.items():
        assert (tmp_path / name).read_bytes() == data.replace(old, new), name


def test_crlf_file_gets_crlf_in_synthesized_code(tmp_path: Path) -> None:
    (tmp_path / "layer.py").write_bytes(UNINITIALIZED.replace("\n", "\r\n").encode())
    assert run(tmp_path, "--fix", "--unsafe-fixes", "layer.py").returncode == 0
    data = (tmp_path / "layer.py").read_bytes()
    assert b"reset_parameters" in data and data.count(b"\n") == data.count(b"\r\n")


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_text(DATA)
    path.chmod(0o750)
    run(tmp_path, "--fix", "legacy.py")
    assert stat.S_IMODE(path.stat().st_mode) == 0o750 and path.read_text() == DATA_FIXED


def test_a_failing_write_leaves_the_original_intact(tmp_path: Path) -> None:
    # the process may not write files bigger than the original: writing the fix fails halfway
    original = DATA + "#" * 4000 + "\n"
    path = tmp_path / "legacy.py"
    path.write_text(original)
    done = run(tmp_path, "--fix", "legacy.py", limit_file_size=len(original))
    assert done.returncode == 2
    assert "cannot fix legacy.py" in done.stderr and "file left unchanged" in done.stderr
    assert path.read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["legacy.py"]  # no temporary file left behind


def test_fix_from_stdin_writes_the_fixed_source(tmp_path: Path) -> None:
    done = run(tmp_path, "--fix", "-", stdin=DATA)
    assert (done.returncode, done.stdout) == (0, DATA_FIXED)


def test_diff_from_stdin_compares_the_input(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text("# a different file on disk\n")
    done = run(tmp_path, "--diff", "--stdin-filename", "legacy.py", "-", stdin=DATA)
    assert done.returncode == 1
    assert "+a = torch.tensor([1.0, 2.0], dtype=torch.float32)\n" in done.stdout


def test_a_symlink_stays_a_link_and_its_target_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "legacy.py").write_text(DATA)
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "legacy.py")
    assert run(tmp_path, "--fix", "link.py").returncode == 0
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real" / "legacy.py").read_text() == DATA_FIXED


def _gone_pid() -> int:
    """The pid of a process that has already exited (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_killed_runs_temporary_is_removed_and_a_live_runs_is_kept(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text(DATA)
    orphan = tmp_path / f".legacy.py.{_gone_pid()}.abcd_123.paraminit-tmp"
    live = tmp_path / f".legacy.py.{os.getpid()}.efgh_456.paraminit-tmp"  # this test process is alive
    unrelated = tmp_path / ".legacy.py.notes"
    for path in (orphan, live, unrelated):
        path.write_text("half a file")
    assert run(tmp_path, "--fix", "legacy.py").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["legacy.py", live.name, unrelated.name])


def test_kill_9_during_fix_leaves_every_file_old_or_new_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    for index in range(400):
        (sources / f"m{index:03}.py").write_text(DATA)
    fixing = subprocess.Popen([EXECUTABLE or "paraminit", "check", "--no-cache", "-j", "1", "--fix", "src"], cwd=tmp_path)
    while fixing.poll() is None and all(path.read_text() == DATA for path in sources.glob("*.py")):
        pass
    fixing.kill()  # SIGKILL: no handler, no cleanup
    fixing.wait()
    contents = [path.read_text() for path in sorted(sources.glob("*.py"))]
    assert set(contents) <= {DATA, DATA_FIXED}
    assert DATA_FIXED in contents
    done = run(tmp_path, "--fix", "src")
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in sources.iterdir()) == [f"m{index:03}.py" for index in range(400)]
    assert all(path.read_text() == DATA_FIXED for path in sources.glob("*.py"))
