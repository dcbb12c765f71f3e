"""Settings files and selectors resolve like Ruff's; every mistake names its file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ruff_like_rules.engine.rule import Rule
from ruff_like_rules.workspace.config import ConfigError, Overrides, Resolver
from ruff_like_rules.workspace.globs import PathGlob
from ruff_like_rules.workspace.selection import RuleSelection, select_rules
from ruff_like_rules.workspace.settings_file import Config, read_config_file


def make_rule(code: str, preview: bool = False) -> type[Rule]:
    return type(f"Rule{code}", (Rule,), {"code": code, "name": code.lower(), "summary": "", "preview": preview,
                                          "trigger": re.compile("x")})  # fmt: skip


PIN001, PIN002, PIN003, PIN101, PIN102 = (make_rule(c) for c in ("PIN001", "PIN002", "PIN003", "PIN101", "PIN102"))
PIN103 = make_rule("PIN103", preview=True)
CATALOGUE = (PIN001, PIN002, PIN003, PIN101, PIN102, PIN103)


def codes(rules: tuple[type[Rule], ...]) -> list[str]:
    return [rule.code for rule in rules]


def select(*layers: RuleSelection, preview: bool = False) -> list[str]:
    return codes(select_rules(layers, CATALOGUE, preview))


def test_default_selection_is_every_stable_rule() -> None:
    assert select() == ["PIN001", "PIN002", "PIN003", "PIN101", "PIN102"]


def test_preview_lets_prefixes_reach_preview_rules() -> None:
    assert select(preview=True)[-1] == "PIN103"
    assert select(RuleSelection(select=("PIN1",))) == ["PIN101", "PIN102"]
    assert select(RuleSelection(select=("ALL",)), preview=True) == codes(CATALOGUE)


def test_full_code_selects_a_preview_rule_without_preview() -> None:
    assert select(RuleSelection(extend_select=("PIN103",))) == ["PIN001", "PIN002", "PIN003", "PIN101", "PIN102",
                                                                 "PIN103"]  # fmt: skip


def test_more_specific_selector_wins_and_ignore_wins_ties() -> None:
    assert select(RuleSelection(select=("PIN001",), ignore=("PIN0",))) == ["PIN001"]
    assert select(RuleSelection(select=("PIN0",), ignore=("PIN002",))) == ["PIN001", "PIN003"]
    assert select(RuleSelection(select=("PIN001",), ignore=("PIN001",))) == []


def test_command_line_layer_replaces_the_file_select() -> None:
    from_file = RuleSelection(select=("PIN1",), ignore=("PIN101",))
    assert select(from_file, RuleSelection(select=("PIN002",))) == ["PIN002"]
    assert select(from_file, RuleSelection(extend_select=("PIN001",))) == ["PIN001", "PIN102"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def resolver(cwd: Path, **overrides: object) -> Resolver:
    return Resolver(overrides=Overrides(**overrides), cwd=cwd, catalogue=CATALOGUE)  # type: ignore[arg-type]


def test_pyproject_table_is_read_and_nearest_settings_win(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.paraminit]\nselect = ["PIN0"]\nignore = ["PIN003"]\n')
    write(tmp_path / "sub" / "paraminit.toml", 'select = ["PIN1"]\n')
    write(tmp_path / "sub" / "deeper" / "pyproject.toml", "[project]\nname = 'x'\n")  # no table: skipped
    top = resolver(tmp_path)
    assert codes(top.settings_for(tmp_path / "a.py").rules) == ["PIN001", "PIN002"]
    assert codes(top.settings_for(tmp_path / "sub" / "deeper" / "b.py").rules) == ["PIN101", "PIN102"]
    assert top.config_for(tmp_path / "sub" / "b.py").root == (tmp_path / "sub").resolve()


def test_dot_paraminit_toml_beats_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.paraminit]\nselect = ["PIN001"]\n')
    write(tmp_path / ".paraminit.toml", 'select = ["PIN002"]\n')
    assert codes(resolver(tmp_path).settings_for(tmp_path / "a.py").rules) == ["PIN002"]


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.paraminit]\nselect = ["PIN0"]\npreview = false\n')
    chosen = resolver(tmp_path, select=("PIN1",), ignore=("PIN102",), preview=True)
    assert codes(chosen.settings_for(tmp_path / "a.py").rules) == ["PIN101", "PIN103"]


def test_explicit_config_governs_every_file(tmp_path: Path) -> None:
    settings = write(tmp_path / "elsewhere" / "custom.toml", 'select = ["PIN002"]\n')
    write(tmp_path / "project" / "pyproject.toml", '[tool.paraminit]\nselect = ["PIN001"]\n')
    chosen = Resolver(explicit=settings, cwd=tmp_path, catalogue=CATALOGUE)
    assert codes(chosen.settings_for(tmp_path / "project" / "a.py").rules) == ["PIN002"]


def test_per_file_ignores_match_relative_to_the_settings_directory(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.paraminit.per-file-ignores]\n"tests/**/*.py" = ["PIN0"]\n"conftest.py" = ["PIN101"]\n'
        '"!src/**" = ["PIN102"]\n',
    )
    chosen = resolver(tmp_path / "src")

    def rules_for(relative: str) -> list[str]:
        return codes(chosen.settings_for(tmp_path / relative).rules)

    assert rules_for("tests/unit/t.py") == ["PIN101"]
    assert rules_for("src/deep/conftest.py") == ["PIN001", "PIN002", "PIN003", "PIN102"]
    assert rules_for("src/a.py") == ["PIN001", "PIN002", "PIN003", "PIN101", "PIN102"]


def test_analysis_options_reach_the_analysis_settings(tmp_path: Path) -> None:
    write(tmp_path / "paraminit.toml", 'initializer-methods = ["setup_weights"]\ninit-functions = ["mylib.init"]\n')
    settings = resolver(tmp_path).settings_for(tmp_path / "a.py")
    assert settings.initializer_methods == frozenset({"setup_weights"})
    assert settings.init_functions == frozenset({"mylib.init"})


def test_excludes_replace_or_extend_the_defaults(tmp_path: Path) -> None:
    default = Config(root=tmp_path)
    assert default.is_excluded(tmp_path / "pkg" / ".venv") and not default.is_excluded(tmp_path / "pkg" / "gen")
    write(tmp_path / "pyproject.toml", '[tool.paraminit]\nextend-exclude = ["gen", "docs/*.py"]\n')
    config = resolver(tmp_path).config_for(tmp_path)
    assert config.is_excluded(tmp_path / "a" / "gen")
    assert config.is_excluded(tmp_path / "docs" / "conf.py") and not config.is_excluded(tmp_path / "conf.py")
    assert config.is_excluded(tmp_path / "build")
    replaced = read_config_file(write(tmp_path / "x.toml", 'exclude = ["only_this"]\n'), CATALOGUE)
    assert replaced is not None and not replaced.is_excluded(tmp_path / "build")


def test_globs_keep_single_stars_within_a_segment() -> None:
    assert PathGlob("src/*.py").matches("src/a.py") and not PathGlob("src/*.py").matches("src/x/a.py")
    assert PathGlob("src/**/*.py").matches("src/a.py") and PathGlob("src/**/*.py").matches("src/x/y/a.py")
    assert PathGlob("test_?.py").matches("deep/dir/test_a.py") and PathGlob("[!a]b.py").matches("cb.py")


def test_cache_dir_is_relative_to_the_settings(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.paraminit]\ncache-dir = "var/cache"\n')
    assert resolver(tmp_path).project_config().cache_directory() == tmp_path.resolve() / "var" / "cache"
    assert Config(root=tmp_path).cache_directory() == tmp_path / ".paraminit_cache"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('slect = ["PIN"]', "unknown key `slect`"),
        ('select = ["PIN9"]', "`select`: unknown rule selector `PIN9`"),
        ('ignore = "PIN001"', "`ignore`: expected a list of strings"),
        ("preview = 1", "`preview`: expected true or false"),
        ('per-file-ignores = ["x"]', "`per-file-ignores`: expected a table"),
        ('[per-file-ignores]\n"a.py" = ["E501"]', "`per-file-ignores.a.py`: unknown rule selector `E501`"),
        ("cache-dir = 3", "`cache-dir`: expected a path string"),
        ("select = [", "invalid TOML"),
    ],
)
def test_mistakes_are_errors_naming_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    path = write(tmp_path / "paraminit.toml", toml + "\n")
    with pytest.raises(ConfigError) as raised:
        resolver(tmp_path).settings_for(tmp_path / "a.py")
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_unknown_selector_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="command line: unknown rule selector `PINX`"):
        resolver(tmp_path, extend_select=("PINX",))
