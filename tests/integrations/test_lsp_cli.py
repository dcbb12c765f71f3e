"""The ``server`` subcommand's wiring: pygls is loaded for it and for nothing else."""

from __future__ import annotations

import subprocess
import sys

IMPORTS_AFTER = """
import sys
from ruff_like_rules.cli import main
code = main({argv!r})
print("pygls" in sys.modules, "ruff_like_rules.integrations.lsp.server" in sys.modules, file=sys.stderr)
"""


def loaded_after(argv: list[str], stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER.format(argv=argv)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stderr.strip().splitlines()[-1]


def test_other_commands_do_not_import_the_server():
    assert loaded_after(["rule", "--all"]) == "False False"
    assert loaded_after(["check", "--stdin-filename", "x.py", "-"], stdin="import torch\n") == "False False"


def test_server_exits_cleanly_when_the_client_goes_away():
    # no client at all: standard input closes at once, and the server must stop, not hang
    result = subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "server"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == ""
