"""``--config`` as Ruff users write it: a pyproject-style file under any name, inline ``key = value``."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import BUGGY, EXECUTABLE, run

pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="the package is not installed (pip install -e .)")

LEGACY = BUGGY + (  # PIN001, PIN005, PIN006: one finding of each
    "        self.temperature = torch.ones(1, requires_grad=True)\n"
    "        self.heads = [nn.Linear(2, 2)]\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "layer.py").write_text(LEGACY, encoding="utf-8")
    return tmp_path


def codes(result) -> list[str]:
    return sorted(line.split()[1] for line in result.stdout.splitlines() if line.startswith("layer.py:"))


def test_a_pyproject_style_file_under_any_name(project: Path):
    (project / "ci.toml").write_text('[project]\nname = "x"\n\n[tool.paraminit]\nselect = ["PIN001"]\n')
    result = run(project, "check", "--output-format", "concise", "--config", "ci.toml", "layer.py")
    assert (result.returncode, codes(result)) == (1, ["PIN001"]), result.stderr


def test_a_tool_table_without_paraminit_is_a_clear_error(project: Path):
    (project / "ci.toml").write_text('[tool.ruff]\nline-length = 100\n')
    result = run(project, "check", "--config", "ci.toml", "layer.py")
    assert result.returncode == 2
    assert "ci.toml: a [tool] table without [tool.paraminit]" in result.stderr and "Traceback" not in result.stderr


def test_inline_overrides_beat_the_discovered_settings(project: Path):
    (project / "pyproject.toml").write_text('[tool.paraminit]\nselect = ["PIN001", "PIN005"]\n')
    everything = run(project, "check", "--output-format", "concise", "layer.py")
    assert codes(everything) == ["PIN001", "PIN005"]
    ignored = run(project, "check", "--output-format", "concise", "--config", 'ignore = ["PIN005"]', "layer.py")
    assert codes(ignored) == ["PIN001"]  # the file's select stays: only the given key is replaced
    selected = run(project, "check", "--output-format", "concise", "--config", 'select = ["PIN005"]', "layer.py")
    assert codes(selected) == ["PIN005"]


def test_a_file_and_inline_overrides_together(project: Path):
    (project / "ci.toml").write_text('select = ["PIN001", "PIN005"]\n')
    result = run(project, "check", "--output-format", "concise", "--config", "ci.toml",
                 "--config", 'extend-select = ["PIN006"]', "--config", 'ignore = ["PIN001"]', "layer.py")
    assert codes(result) == ["PIN005", "PIN006"], result.stderr


def test_per_file_ignores_inline(project: Path):
    result = run(project, "check", "--output-format", "concise",
                 "--config", 'per-file-ignores = {"layer.py" = ["PIN001"]}', "layer.py")
    assert "PIN001" not in codes(result) and codes(result)


@pytest.mark.parametrize(("value", "message"), [
    ('selct = ["PIN001"]', "paraminit: error: --config: unknown key `selct`"),
    ('select = [PIN001', "paraminit: error: --config 'select = [PIN001': neither a settings file nor a TOML"),
    ('select = ["PIN9"]', "paraminit: error: --config: `select`"),
    ("missing.toml", "paraminit: error: settings file not found: missing.toml"),
])
def test_a_bad_inline_override_is_a_usage_error(project: Path, value: str, message: str):
    result = run(project, "check", "--config", value, "layer.py")
    assert result.returncode == 2 and result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_two_settings_files_are_a_usage_error(project: Path):
    for name in ("a.toml", "b.toml"):
        (project / name).write_text("preview = true\n")
    result = run(project, "check", "--config", "a.toml", "--config", "b.toml", "layer.py")
    assert result.returncode == 2 and "--config names 2 settings files" in result.stderr


def test_clean_reads_an_inline_cache_dir(project: Path):
    assert run(project, "check", "--config", 'cache-dir = "elsewhere"', "layer.py").returncode == 1
    assert (project / "elsewhere").is_dir()
    result = run(project, "clean", "--config", 'cache-dir = "elsewhere"')
    assert result.returncode == 0 and not (project / "elsewhere").exists(), result.stderr
