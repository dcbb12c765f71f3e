"""Hostile and odd input through the real CLI: no crash, no signal, no internal error, no
corrupted file; a file that cannot be analysed is reported (PIN000) and the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruff_like_rules.syntax.depth import MAX_BRACKETS, MAX_DEPTH, too_deep
from ruff_like_rules.syntax.lines import line_starts, split_lines

MODULE = """\
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3, 4))
"""


def check(cwd: Path, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m ruff_like_rules check --no-cache --output-format json ...`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "check", "--no-cache", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def findings(cwd: Path, *paths: str) -> tuple[subprocess.CompletedProcess[str], dict[str, list[dict]]]:
    done = check(cwd, "--output-format", "json", *paths)
    by_file: dict[str, list[dict]] = {}
    for finding in json.loads(done.stdout or "[]"):
        by_file.setdefault(Path(finding["filename"]).name, []).append(finding)
    return done, by_file


DEEP = {
    "parentheses.py": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
    "lists.py": "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "attributes.py": "x = a" + ".b" * 10_000 + "\n",
    "sum.py": "x = " + " + ".join(["1"] * 10_000) + "\n",
    "strings.py": "x = (\n" + "    'a'\n" * 5000 + ")\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_too_deep_files_are_reported_and_the_run_goes_on(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(MODULE + DEEP[name], encoding="utf-8")
    (tmp_path / "other.py").write_text(MODULE, encoding="utf-8")
    done, found = findings(tmp_path, ".")
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    [refusal] = found[name]
    assert refusal["code"] == "PIN000"
    assert "too many nested parentheses" in refusal["message"] or "nested too deeply" in refusal["message"]
    assert refusal["location"]["row"] > MODULE.count("\n")  # where the limit is crossed
    assert [f["code"] for f in found["other.py"]] == ["PIN001"]


LEGAL_BUT_DEEP = {
    "sum500.py": "        x = " + " + ".join(["1"] * 500) + "\n",
    "sum990.py": "        x = " + " + ".join(["1"] * 990) + "\n",
    "lists150.py": "        x = " + "[" * 150 + "]" * 150 + "\n",
    "lists199.py": "        x = " + "[" * 199 + "]" * 199 + "\n",
    "chain990.py": "        x = a" + ".b" * 990 + "\n",
}


@pytest.mark.parametrize("name", sorted(LEGAL_BUT_DEEP))
def test_legal_deep_code_is_analysed(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(MODULE + LEGAL_BUT_DEEP[name], encoding="utf-8")
    done, found = findings(tmp_path, name)
    assert done.returncode == 1, done.stderr
    assert [f["code"] for f in found[name]] == ["PIN001"]


def test_recursion_that_libcst_reraises_as_another_error_is_retried(tmp_path: Path) -> None:
    """libcst's position recorder turns a RecursionError into a KeyError on its way out (found
    by bench/fuzz_hostile.py): that too is retried on the deep stack, not an internal error."""
    source = MODULE.replace("torch.empty(3, 4))", "torch.empty(3, 4))\n        self.legacy = torch.FloatTensor(3)")
    source += "        self.deep = a" + ".b" * 956 + "\n\n    def forward(self, x):\n        return x @ self.weight\n"
    (tmp_path / "chain.py").write_text(source, encoding="utf-8")
    done = check(tmp_path, "--preview", "--select", "ALL", "--output-format", "json", "chain.py")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1
    assert "PIN001" in [f["code"] for f in json.loads(done.stdout)]


def test_depth_is_measured_outside_strings_and_comments() -> None:
    opened = "(" * (MAX_BRACKETS + 5)
    assert too_deep(f"x = '{opened}'\n# {opened}\ny = '''\n{opened}\n'''\n") is None
    assert too_deep(f"x = {opened}") is not None
    assert too_deep("x = [" + ", ".join(["a.b + c"] * (MAX_DEPTH * 2)) + "]\n") is None  # long, flat
    assert too_deep("\n".join(["x = a + b"] * MAX_DEPTH)) is None  # statements reset the chain


def test_class_attribute_legacy_constructors(tmp_path: Path) -> None:
    (tmp_path / "attrs.py").write_text(
        "import torch\n\n\nclass A:\n    x = torch.FloatTensor(2, 2)\n\n    def f(self):\n        pass\n\n\n"
        "class B:\n    y = torch.FloatTensor(2, 2)\n    z = y + 1\n",
        encoding="utf-8",
    )
    done, found = findings(tmp_path, "attrs.py")
    assert "internal error" not in done.stderr
    assert done.returncode == 1, done.stderr
    assert [(f["code"], f["location"]["row"]) for f in found["attrs.py"]] == [("PIN002", 12)]


# ---------------------------------------------------------------------------- the line table

ODD_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
LEGACY = """\
import torch
# page{odd}break
s = 'a{odd}b'
keep = [1, 2, 3]
a = torch.FloatTensor(2, 2)  # noqa: PIN002
print(a)


def f():
    '''doc{odd}string'''
    keep = [1, 2, 3]
    b = torch.FloatTensor(2, 2)
    print(b)
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_one_line_table_for_findings_noqa_and_fixes(tmp_path: Path, newline: str) -> None:
    """One file per odd character; every report, ``# noqa`` and fix lands on Python's line."""
    sources = {f"odd_{ord(odd):x}.py": LEGACY.format(odd=odd).replace("\n", newline) for odd in ODD_BREAKS}
    for name, source in sources.items():
        (tmp_path / name).write_bytes(source.encode("utf-8"))
    done, found = findings(tmp_path, ".")
    for name in sources:
        assert [(f["code"], f["location"]["row"]) for f in found[name]] == [("PIN002", 12)], (name, done.stderr)
    full = check(tmp_path, ".")
    assert full.stdout.count("12 |     b = torch.FloatTensor(2, 2)") == len(sources)
    fixed = check(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    for name, source in sources.items():
        expected = source.replace("b = torch.FloatTensor(2, 2)", "b = torch.empty(2, 2, dtype=torch.float32)")
        assert (tmp_path / name).read_bytes() == expected.encode("utf-8"), name
    again = check(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert again.returncode == 0 and "fixed" not in again.stderr.lower(), again.stderr


@pytest.mark.parametrize("odd", ODD_BREAKS, ids=[hex(ord(c)) for c in ODD_BREAKS])
def test_line_table_matches_python(odd: str) -> None:
    import ast

    text = f"a = 1\r# x{odd}y\rb = '{odd}'\r\nc = 2\n"
    starts = line_starts(text)
    lines = split_lines(text)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            assert lines[node.lineno - 1][node.col_offset : node.end_col_offset] == node.id
            assert text[starts[node.lineno - 1] + node.col_offset] == node.id
    assert len(lines) == 4


def test_unparsable_file_is_reported_and_never_fixed(tmp_path: Path) -> None:
    """The prefilter parses only the classes that matter; the rest of the file must parse too."""
    source = MODULE.replace("torch.empty(3, 4)", "torch.FloatTensor(3, 4)") + "\n\ndef helper(:\n    return 1\n"
    path = tmp_path / "broken.py"
    path.write_text(source, encoding="utf-8")
    done, found = findings(tmp_path, "broken.py")
    assert [f["code"] for f in found["broken.py"]] == ["PIN000"], done.stdout
    [refusal] = found["broken.py"]
    assert refusal["message"] == "syntax error at 11:12: invalid syntax"
    assert (refusal["location"]["row"], refusal["location"]["column"]) == (11, 12)
    fixed = check(tmp_path, "--fix", "--unsafe-fixes", "broken.py")
    assert fixed.returncode == 1
    assert path.read_text(encoding="utf-8") == source


PIN000_MESSAGES = {
    "unclosed.py": (b"x = (1,\n\ndef f(:\n    pass\n", "syntax error at 11:1: invalid syntax", (11, 1)),
    "python2.py": (b"print 'hi'\n", "syntax error at 9:1: Missing parentheses in call to 'print'. Did you mean print(...)?", (9, 1)),
    "tabs.py": (b"if x:\n\tx = 1\n        y = 2\n", "syntax error at 11:1: inconsistent use of tabs and spaces in indentation", (11, 1)),
    "fstring.py": (b"x = f'{1 +}'\n", "syntax error at 9:5: f-string: invalid syntax", (9, 5)),
    "nul.py": (b"# a \x00 in a comment\n", "cannot parse file: source contains a NUL byte", (9, 5)),
    "latin.py": (b"x = '\xe9'\n", "cannot parse file: 'utf-8' codec can't decode byte 0xe9 in position", (1, 1)),
    "utf16.py": (None, "cannot parse file: invalid or missing encoding declaration", (1, 1)),
    "deep.py": (b"x = " + b"[" * 300 + b"]" * 300 + b"\n", "cannot parse file: too many nested parentheses", (9, 1)),
}


def test_pin000_says_why_in_one_line_and_where(tmp_path: Path) -> None:
    """Syntax errors in Python's words at Python's 1-based place; other causes as
    ``cannot parse file: <reason>``; never libcst's dump of expected tokens."""
    for name, (tail, _, _) in PIN000_MESSAGES.items():  # no tail: the whole module as UTF-16 with its BOM
        (tmp_path / name).write_bytes(MODULE.encode("utf-16") if tail is None else MODULE.encode("utf-8") + tail)
    (tmp_path / "other.py").write_text(MODULE, encoding="utf-8")
    done, found = findings(tmp_path, ".")
    assert done.returncode == 1 and "internal error" not in done.stderr, done.stderr
    assert [f["code"] for f in found["other.py"]] == ["PIN001"]
    for name, (_, message, place) in PIN000_MESSAGES.items():
        [refusal] = found[name]
        assert refusal["code"] == "PIN000" and refusal["message"].startswith(message), (name, refusal["message"])
        assert "expected one of" not in refusal["message"] and "\n" not in refusal["message"]
        if place is not None:
            assert (refusal["location"]["row"], refusal["location"]["column"]) == place, name
    concise = check(tmp_path, "--output-format", "concise", "unclosed.py")
    assert "unclosed.py:11:1: PIN000 syntax error at 11:1: invalid syntax" in concise.stdout


def test_fifo_is_skipped_by_the_walk_and_reported_when_named(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "real.py").write_text(MODULE, encoding="utf-8")
    done, found = findings(tmp_path, ".")
    assert done.returncode == 1, done.stderr
    assert sorted(found) == ["real.py"]
    named, found = findings(tmp_path, "pipe.py", "real.py")
    assert named.returncode == 1, named.stderr
    assert [(f["code"], f["message"]) for f in found["pipe.py"]] == [("PIN000", "cannot read file: not a regular file")]
    assert [f["code"] for f in found["real.py"]] == ["PIN001"]


def test_directory_symlink_loops_walk_each_directory_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "model.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "sub" / "self").symlink_to(".", target_is_directory=True)
    (tmp_path / "alias").symlink_to("sub", target_is_directory=True)
    done = check(tmp_path, "--output-format", "json", ".", timeout=60)
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)) == 1


# ---------------------------------------------------------------------------- the cache


@pytest.mark.parametrize(
    "garbage",
    [
        '{"model.py": 3}',
        '{"model.py": [1, 2, 3]}',
        '{"model.py": [0, 0, "x", 0, [[1, 2, 3]]]}',
        '{"model.py": [0, 151, "d", 0, [["PIN001", "n", "m", "a", 1, 2, 3, null]]]}',
        "[1, 2]",
        '{"model.py": [0, 0',
    ],
)
def test_cache_of_the_wrong_shape_is_ignored_and_rewritten(tmp_path: Path, garbage: str) -> None:
    (tmp_path / "model.py").write_text(MODULE, encoding="utf-8")
    run = [sys.executable, "-m", "ruff_like_rules", "check", "--output-format", "json", "."]
    first = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    [cache_file] = (tmp_path / ".paraminit_cache").rglob("*.json")
    cache_file.write_text(garbage, encoding="utf-8")
    for _ in range(2):  # the damaged entry is replaced: the second run reads the rewritten file
        again = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert again.returncode == 1, again.stderr
        assert json.loads(again.stdout) == json.loads(first.stdout)
    assert json.loads(cache_file.read_text(encoding="utf-8"))["model.py"][4][0][0] == "PIN001"


# ---------------------------------------------------------------------------- user errors


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        (b"tool = 3\n", "[tool] must be a table"),
        (b'[tool.paraminit]\nselect = ["PIN001"]\n# \xff\xfe\n', "not valid UTF-8"),
    ],
)
def test_bad_pyproject_is_a_usage_error_naming_the_file(tmp_path: Path, pyproject: bytes, message: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(pyproject)
    (tmp_path / "model.py").write_text(MODULE, encoding="utf-8")
    done = check(tmp_path, ".")
    assert done.returncode == 2
    assert "internal error" not in done.stderr
    assert str(tmp_path / "pyproject.toml") in done.stderr and message in done.stderr


def test_names_too_long_are_usage_errors(tmp_path: Path) -> None:
    long_name = "a" * 300 + ".py"
    done = check(tmp_path, long_name)
    assert done.returncode == 2 and "internal error" not in done.stderr
    assert long_name in done.stderr and "too long" in done.stderr.lower()
    piped = check(tmp_path, "--stdin-filename", f"{'b' * 300}/x.py", "-", stdin=MODULE)
    assert piped.returncode == 2 and "internal error" not in piped.stderr
    assert "--stdin-filename" in piped.stderr and "too long" in piped.stderr.lower()


def test_a_selection_naming_nothing_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODULE, encoding="utf-8")
    done = check(tmp_path, "--select", ",,,", ".")
    assert done.returncode == 2
    assert "--select" in done.stderr and "All checks passed" not in done.stdout


# ---------------------------------------------------------------------------- --diff and --fix

LEGACY_ONLY = "import torch\na = torch.FloatTensor(2, 2)\nprint(a)\n"


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_applies_and_gives_the_fix_result(tmp_path: Path, tool: str) -> None:
    import shutil

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    sources = {
        "no_final_newline.py": LEGACY_ONLY.rstrip("\n"),
        "cr.py": LEGACY_ONLY.replace("\n", "\r"),
        "crlf.py": LEGACY_ONLY.replace("\n", "\r\n"),
        "cr_no_final.py": LEGACY_ONLY.replace("\n", "\r").rstrip("\r"),
        "page_break.py": "import torch\n\f\n" + LEGACY_ONLY.replace("import torch\n", ""),
    }
    fixed_tree, patched_tree = tmp_path / "fixed", tmp_path / "patched"
    for tree in (fixed_tree, patched_tree):
        tree.mkdir()
        for name, source in sources.items():
            (tree / name).write_bytes(source.encode("utf-8"))
    diff = subprocess.run(  # bytes: text mode would turn the CRs into line breaks
        [sys.executable, "-m", "ruff_like_rules", "check", "--no-cache", "--diff", "--unsafe-fixes", "."],
        cwd=patched_tree,
        capture_output=True,
        timeout=120,
    )
    assert diff.returncode == 1, diff.stderr
    assert check(fixed_tree, "--fix", "--unsafe-fixes", ".").returncode == 0
    if tool == "patch":
        applied = subprocess.run(["patch", "-p1"], cwd=patched_tree, input=diff.stdout, capture_output=True)
    else:
        subprocess.run(["git", "init", "-q", "."], cwd=patched_tree, check=True)
        applied = subprocess.run(["git", "apply", "-"], cwd=patched_tree, input=diff.stdout, capture_output=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    # an unchanged last line is marked once (context), a changed one before and after (CR-only: one line)
    assert diff.stdout.count(b"\\ No newline at end of file") == 1 + 2 + 2
    for name in sources:
        assert (patched_tree / name).read_bytes() == (fixed_tree / name).read_bytes(), name


IDEMPOTENT = {
    "two_initializers.py": MODULE + "        self.bias = nn.Parameter(torch.Tensor(4))\n",
    "existing_reset.py": MODULE.replace("(3, 4))", "(n, n))").replace("(self):", "(self, n):")
    + "        self.v = nn.Parameter(torch.FloatTensor(n))\n\n    def reset_parameters(self):\n        pass\n",
    "overload.py": "import typing\n"
    + MODULE.replace(
        "    def __init__(self):",
        "    @typing.overload\n    def __init__(self, n: int) -> None: ...\n"
        "    @typing.overload\n    def __init__(self, n: str) -> None: ...\n    def __init__(self, n=0):",
    ),
    "legacy_everywhere.py": "import torch\na = torch.FloatTensor(2, 2)\nprint(a)\nb = torch.Tensor(3)\nprint(b + a)\n",
}


def test_fix_is_idempotent(tmp_path: Path) -> None:
    """After ``--fix``, a second ``--fix`` changes nothing, whatever the line endings."""
    sources = dict(IDEMPOTENT)
    sources |= {f"cr_{name}": source.replace("\n", "\r") for name, source in IDEMPOTENT.items()}
    sources |= {f"crlf_ff_{name}": source.replace("\n", "\r\n").replace("class", "\f\r\nclass") for name, source in IDEMPOTENT.items()}
    for name, source in sources.items():
        (tmp_path / name).write_bytes(source.encode("utf-8"))
    first = check(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert "internal error" not in first.stderr
    after_first = {name: (tmp_path / name).read_bytes() for name in sources}
    assert sum(after_first[name] != sources[name].encode("utf-8") for name in sources) >= len(IDEMPOTENT) * 3 - 3
    second = check(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert {name: (tmp_path / name).read_bytes() for name in sources} == after_first, second.stdout
    assert "fixed" not in second.stdout.lower()


def test_huge_data_literals_are_checked_and_kept_byte_for_byte_by_fixes(tmp_path: Path) -> None:
    table = "TABLE = [" + ", ".join(f"{i * 0.5}" for i in range(50_000)) + "]  # noqa: E501\n"
    nested = "NESTED = {\n" + "".join(f"    'k{i}': [{i}, -{i}.5, None, (True, 'x,]')],\n" for i in range(3000)) + "}\n"
    call = "VALUES = torch.FloatTensor([" + ", ".join(str(i) for i in range(3000)) + "])\nprint(VALUES)\n"
    source = MODULE.replace("torch.empty(3, 4)", "torch.Tensor(3, 4)") + "\n\n" + table + nested + call
    path = tmp_path / "tables.py"
    path.write_text(source, encoding="utf-8")
    done, found = findings(tmp_path, "tables.py")
    assert done.returncode == 1, done.stderr
    rows = [(f["code"], f["location"]["row"]) for f in found["tables.py"]]
    exact = subprocess.run(  # the same file analysed without any speed-up gives the same findings
        [sys.executable, "-c", _EXACT_FINDINGS, str(path)], capture_output=True, text=True, timeout=300
    )
    assert exact.returncode == 0, exact.stderr
    assert json.loads(exact.stdout) == [list(row) for row in rows]
    fixed = check(tmp_path, "--fix", "--unsafe-fixes", "tables.py", timeout=300)
    assert "internal error" not in fixed.stderr
    text = path.read_text(encoding="utf-8")
    assert table in text and nested in text and text != source


def test_huge_literals_passed_to_calls_keep_their_first_element_and_findings(tmp_path: Path) -> None:
    """Inside a call's arguments a display keeps its brackets and first element only (it was
    kept whole, so huge tables passed to calls stayed slow); findings are the exact ones."""
    from ruff_like_rules.engine.literals import blank_data_literals

    table = ", ".join(f"[{i}, {i}.5]" for i in range(2000))
    source = MODULE + f"        self.t = torch.tensor([{table}])\n        self.v = nn.Parameter(torch.Tensor([{table}]))\n"
    path = tmp_path / "calls.py"
    path.write_text(source, encoding="utf-8")
    blanked = blank_data_literals(source)
    assert len(blanked) == len(source)
    assert "torch.tensor([[0, 0.5]," in blanked and "torch.Tensor([[0, 0.5]," in blanked
    assert sum(not c.isspace() for c in blanked) < len(MODULE) + 200
    exact = subprocess.run([sys.executable, "-c", _EXACT_FINDINGS, str(path)], capture_output=True, text=True, timeout=300)
    assert exact.returncode == 0, exact.stderr
    done, found = findings(tmp_path, "calls.py")
    assert "internal error" not in done.stderr and done.returncode == 1, done.stderr
    assert [[f["code"], f["location"]["row"]] for f in found["calls.py"]] == json.loads(exact.stdout)


def test_a_long_word_or_string_costs_linear_time(tmp_path: Path) -> None:
    """A 60,000-character string beside a finding: the prefilter's call-name pattern
    backtracked over every suffix of the word (quadratic, minutes; found by fuzzing)."""
    (tmp_path / "text.py").write_text(MODULE + "\nTEXT = '" + "x" * 60_000 + "'\n", encoding="utf-8")
    done = check(tmp_path, "--output-format", "json", "text.py", timeout=60)
    found = {"text.py": json.loads(done.stdout or "[]")}
    assert done.returncode == 1, done.stderr
    assert [f["code"] for f in found["text.py"]] == ["PIN001"]


_EXACT_FINDINGS = """
import dataclasses, json, sys
from pathlib import Path
from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.workspace.config import Resolver
path = Path(sys.argv[1])
settings = dataclasses.replace(Resolver(cwd=path.parent).settings_for(path), prefilter=False)
print(json.dumps([[f.code, f.start.line] for f in analyze_source(path.read_bytes(), settings)]))
"""
