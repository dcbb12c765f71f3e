"""Jupyter notebooks through the real CLI: found like Ruff finds them, findings by cell in
every output format, ``# noqa`` per cell, ``--fix`` writing the notebook back intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

OUTPUT = {"output_type": "stream", "name": "stdout", "text": ["a result\n"]}
MODULE_CELL = [
    "class Net(nn.Module):\n",
    "    def __init__(self):\n",
    "        super().__init__()\n",
    "        self.w = nn.Parameter(torch.Tensor(3, 3))\n",
]


def code(source: list[str], **extra) -> dict:
    return {"cell_type": "code", "execution_count": 1, "id": f"c{len(source)}", "metadata": {"tags": ["keep"]},
            "outputs": [OUTPUT], "source": source, **extra}


def notebook(*cells: dict, language: str = "python") -> dict:
    return {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# torch.Tensor(3, 3) in prose\n"]}, *cells],
        "metadata": {"kernelspec": {"display_name": "K", "language": language, "name": "k"},
                     "language_info": {"name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def save(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # as nbformat does
    return path


IMPORTS = code(["%matplotlib inline\n", "import torch\n", "!pip list\n", "from torch import nn"])


def test_a_notebook_is_found_and_its_finding_names_the_cell(tmp_path: Path):
    save(tmp_path / "nb.ipynb", notebook(IMPORTS, code(MODULE_CELL)))
    (tmp_path / ".ipynb_checkpoints").mkdir()
    save(tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb", notebook(IMPORTS, code(MODULE_CELL)))
    done = run(tmp_path, "check", "--no-cache")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("nb.ipynb:cell 3:4:31: PIN001 "), done.stdout
    assert "4 |         self.w = nn.Parameter(torch.Tensor(3, 3))" in done.stdout
    assert "checkpoint" not in done.stdout and "Found 1 error." in done.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit", "concise"])
def test_every_output_format_carries_the_cell(tmp_path: Path, fmt: str):
    save(tmp_path / "nb.ipynb", notebook(IMPORTS, code(MODULE_CELL)))
    done = run(tmp_path, "check", "--no-cache", "--output-format", fmt)
    assert done.returncode == 1, done.stderr
    if fmt == "json":
        (finding,) = json.loads(done.stdout)
        assert (finding["cell"], finding["location"], finding["noqa_row"]) == (3, {"row": 4, "column": 31}, 4)
    elif fmt == "sarif":
        (result,) = json.loads(done.stdout)["runs"][0]["results"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (result["properties"]["cell"], region["startLine"], region["startColumn"]) == (3, 4, 31)
    elif fmt == "github":
        assert "title=paraminit (PIN001) in cell 3,file=nb.ipynb,line=4,col=31," in done.stdout
    elif fmt == "junit":
        assert 'line="4"' in done.stdout and "nb.ipynb:cell 3:4:31: PIN001" in done.stdout
    else:
        assert done.stdout.startswith("nb.ipynb:cell 3:4:31: PIN001")


def test_noqa_in_a_cell_silences_that_cell_only(tmp_path: Path):
    quiet = [*MODULE_CELL[:3], "        self.w = nn.Parameter(torch.Tensor(3, 3))  # noqa: PIN001\n"]
    loud = [line.replace("Net", "Other") for line in MODULE_CELL]
    save(tmp_path / "nb.ipynb", notebook(IMPORTS, code(quiet), code(loud)))
    done = run(tmp_path, "check", "--no-cache", "--output-format", "concise")
    assert [line.split(": PIN")[0] for line in done.stdout.splitlines() if "PIN" in line] == ["nb.ipynb:cell 4:4:31"]


def test_fix_writes_the_cells_back_and_leaves_the_rest_intact(tmp_path: Path):
    legacy = code(["a = torch.FloatTensor([1, 2])\n", "%time b = 1\n", "c = 2"])
    document = notebook(IMPORTS, legacy, code(["%%bash\n", "echo torch.FloatTensor([1])\n"]), code(MODULE_CELL))
    path = save(tmp_path / "nb.ipynb", document)
    before = path.read_bytes()
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN004", "--fix", "nb.ipynb")
    assert done.returncode == 0 and "1 fixed" in done.stdout, done.stdout + done.stderr
    after = json.loads(path.read_text(encoding="utf-8"))
    expected = json.loads(before)
    expected["cells"][2]["source"] = ["a = torch.tensor([1, 2], dtype=torch.float32)\n", "%time b = 1\n", "c = 2"]
    assert after == expected  # outputs, metadata, other cells, magics and the missing last newline untouched
    unchanged = [line for line in before.decode().splitlines() if "FloatTensor([1, 2])" not in line]
    assert [line for line in path.read_text().splitlines() if "torch.tensor([1, 2]" not in line] == unchanged
    assert not list(tmp_path.glob(".*paraminit-tmp"))  # written through a renamed temporary file
    assert run(tmp_path, "check", "--no-cache", "--select", "PIN004", "nb.ipynb").returncode == 0


def test_diff_of_a_notebook_changes_nothing(tmp_path: Path):
    path = save(tmp_path / "nb.ipynb", notebook(IMPORTS, code(["a = torch.FloatTensor([1, 2])\n"])))
    before = path.read_bytes()
    done = run(tmp_path, "check", "--no-cache", "--select", "PIN004", "--diff")
    assert done.returncode == 1 and "+a = torch.tensor([1, 2], dtype=torch.float32)" in done.stdout
    assert path.read_bytes() == before


def test_another_kernel_and_cell_magics_are_skipped(tmp_path: Path):
    save(tmp_path / "r.ipynb", notebook(code(["x <- torch.Tensor(3, 3)\n"]), language="R"))
    save(tmp_path / "magic.ipynb", notebook(IMPORTS, code(["%%timeit\n", *MODULE_CELL])))
    done = run(tmp_path, "check", "--no-cache")
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n"), done.stdout + done.stderr


def test_a_malformed_notebook_is_pin000_and_the_run_goes_on(tmp_path: Path):
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "nocells.ipynb").write_text('{"metadata": {}}', encoding="utf-8")
    save(tmp_path / "nb.ipynb", notebook(IMPORTS, code(MODULE_CELL)))
    done = run(tmp_path, "check", "--no-cache", "--output-format", "concise")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("broken.ipynb:1:1: PIN000 cannot parse file: ")
    assert lines[1].startswith("nb.ipynb:cell 3:4:31: PIN001")
    assert lines[2].startswith("nocells.ipynb:1:1: PIN000 cannot parse file: ")
    assert "Traceback" not in done.stderr


def test_a_syntax_error_in_a_cell_names_that_cell(tmp_path: Path):
    save(tmp_path / "nb.ipynb", notebook(IMPORTS, code([*MODULE_CELL, "def broken(:\n"])))
    done = run(tmp_path, "check", "--no-cache", "--output-format", "concise")
    assert done.stdout.startswith("nb.ipynb:cell 3:5:") and " PIN000 " in done.stdout, done.stdout
