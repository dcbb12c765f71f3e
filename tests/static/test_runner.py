"""File discovery, the results cache and parallel analysis, on real trees in tmp_path."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE, Finding, Position
from ruff_like_rules.engine.rule import Rule
from ruff_like_rules.workspace import runner as runner_module
from ruff_like_rules.workspace.cache import CACHEDIR_TAG, tool_version
from ruff_like_rules.workspace.config import Overrides, Resolver
from ruff_like_rules.workspace.discovery import Discovery
from ruff_like_rules.workspace.runner import FileResult, Runner, RunOptions


class MarkerRule(Rule):
    """A stand-in rule: flags every ``BAD`` and says which process found it."""

    code = "PIN001"
    name = "marker"
    summary = "flags BAD"
    trigger = re.compile("BAD")

    def check(self, ctx):  # type: ignore[no-untyped-def]
        for number, line in enumerate(ctx.text.splitlines(), start=1):
            for match in re.finditer("BAD", line):
                start, end = Position(number, match.start()), Position(number, match.end())
                yield Finding(self.code, self.name, f"BAD in process {os.getpid()}", start, end)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_runner(root: Path, *paths: str, **options: object) -> Runner:
    resolver = Resolver(overrides=Overrides(), cwd=root, catalogue=(MarkerRule,))
    return Runner(resolver, RunOptions(paths=paths or (".",), **options))  # type: ignore[arg-type]


def found(results: list[FileResult]) -> dict[str, list[int]]:
    return {r.display: [f.start.line for f in r.findings] for r in results}


def discovered(root: Path, *paths: str, force_exclude: bool = False) -> list[str]:
    discovery = Discovery(make_runner(root).resolver, force_exclude)
    return sorted(c.path.relative_to(root).as_posix() for c in discovery.files(paths or (".",)))


def test_directories_are_walked_for_python_files_skipping_default_excludes(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "", "b.pyi": "", "c.txt": "", "pkg/d.py": "", ".venv/e.py": "", "pkg/build/f.py": "",
                    "pkg/__pycache__/g.py": "", "node_modules/h.py": ""})  # fmt: skip
    assert discovered(tmp_path) == ["a.py", "b.pyi", "pkg/d.py"]


def test_each_file_is_checked_once(tmp_path: Path) -> None:
    tree(tmp_path, {"pkg/a.py": "", "b.py": ""})
    assert discovered(tmp_path, ".", "pkg", "pkg/a.py", "./b.py") == ["b.py", "pkg/a.py"]


def test_gitignore_files_apply_within_a_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {
        ".gitignore": "generated/\n/top_only.py\n*_pb2.py\n!keep_pb2.py\n# comment\n",
        "sub/.gitignore": "local.py\ndata/**\n",
        "a.py": "", "top_only.py": "", "sub/top_only.py": "", "x_pb2.py": "", "keep_pb2.py": "",
        "generated/g.py": "", "sub/generated/g.py": "", "sub/local.py": "", "local.py": "",
        "sub/data/d.py": "", "generated.py": "",
    })  # fmt: skip
    assert discovered(tmp_path) == ["a.py", "generated.py", "keep_pb2.py", "local.py", "sub/top_only.py"]


def test_gitignore_is_ignored_outside_a_repository(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore": "a.py\n", "a.py": ""})
    assert discovered(tmp_path) == ["a.py"]


def test_gitignore_above_the_checked_directory_still_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "skip.py\n", "pkg/skip.py": "", "pkg/ok.py": ""})
    assert discovered(tmp_path, "pkg") == ["pkg/ok.py"]


def test_explicit_paths_are_checked_even_if_excluded_unless_forced(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "ignored.py\n", "build/a.py": "", "ignored.py": "",
                    "pyproject.toml": '[tool.paraminit]\nextend-exclude = ["gen_*.py"]\n', "gen_x.py": ""})  # fmt: skip
    assert discovered(tmp_path, "build/a.py", "ignored.py", "gen_x.py") == ["build/a.py", "gen_x.py", "ignored.py"]
    assert discovered(tmp_path, "build", "ignored.py", "gen_x.py", force_exclude=True) == []


def test_findings_are_sorted_by_path(tmp_path: Path) -> None:
    tree(tmp_path, {"b.py": "x = 1\nBAD\n", "a.py": "BAD; BAD\n", "c.py": "fine\n"})
    results = make_runner(tmp_path, use_cache=False).check_paths()
    assert list(found(results).items()) == [("a.py", [1, 1]), ("b.py", [2]), ("c.py", [])]


def test_unreadable_file_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing.py")
    results = make_runner(tmp_path, use_cache=False).check_paths()
    assert found(results) == {"a.py": [1], "broken.py": [1]}
    assert results[1].findings[0].code == PARSE_ERROR_CODE and "cannot read" in results[1].findings[0].message


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the files each run really analysed (cache misses)."""
    names: list[str] = []
    real = runner_module.analyze_many

    def counting(tasks, jobs):  # type: ignore[no-untyped-def]
        names.extend(task.path.name for task in tasks)
        return real(tasks, jobs)

    monkeypatch.setattr(runner_module, "analyze_many", counting)
    yield names


def test_warm_run_answers_from_the_cache_and_edits_reanalyse_one_file(tmp_path: Path, analysed: list[str]) -> None:
    tree(tmp_path, {"a.py": "BAD\n", "b.py": "ok_\n", "c.py": "ok\nBAD\n"})
    first = found(make_runner(tmp_path).check_paths())
    assert sorted(analysed) == ["a.py", "b.py", "c.py"]
    analysed.clear()
    assert found(make_runner(tmp_path).check_paths()) == first
    assert analysed == []
    before = (tmp_path / "b.py").stat()
    (tmp_path / "b.py").write_text("BAD\n", encoding="utf-8")
    os.utime(tmp_path / "b.py", ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime: racily clean
    assert found(make_runner(tmp_path).check_paths()) == {**first, "b.py": [1]}
    assert analysed == ["b.py"]


def test_warm_run_starts_no_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, {f"m{i:02}.py": "BAD\n" for i in range(3 * runner_module.IN_PROCESS_LIMIT)})
    cold = found(make_runner(tmp_path, jobs=2).check_paths())

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm run started worker processes")

    monkeypatch.setattr(runner_module, "ProcessPoolExecutor", no_pool)
    assert found(make_runner(tmp_path, jobs=2).check_paths()) == cold


def test_touched_but_unchanged_file_is_a_hit_by_digest(tmp_path: Path, analysed: list[str]) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    make_runner(tmp_path).check_paths()
    os.utime(tmp_path / "a.py", (1, 1))
    analysed.clear()
    assert found(make_runner(tmp_path).check_paths()) == {"a.py": [1]}
    assert analysed == []


def test_other_settings_do_not_reuse_results(tmp_path: Path, analysed: list[str]) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    make_runner(tmp_path).check_paths()
    (tmp_path / "paraminit.toml").write_text('ignore = ["PIN001"]\n', encoding="utf-8")
    analysed.clear()
    assert found(make_runner(tmp_path).check_paths()) == {"a.py": []}
    assert analysed == ["a.py"]


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, analysed: list[str]) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    make_runner(tmp_path, use_cache=False).check_paths()
    assert not (tmp_path / ".paraminit_cache").exists()
    make_runner(tmp_path).check_paths()
    make_runner(tmp_path, use_cache=False).check_paths()
    assert analysed == ["a.py", "a.py", "a.py"]


def test_cache_directory_is_marked_like_ruffs(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    make_runner(tmp_path).check_paths()
    cache = tmp_path / ".paraminit_cache"
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8") == CACHEDIR_TAG
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert [p.suffix for p in (cache / tool_version()).iterdir()] == [".json"]


def test_cache_files_unused_for_a_month_are_dropped(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "BAD\n"})
    versioned = tmp_path / ".paraminit_cache" / tool_version()
    versioned.mkdir(parents=True)
    stale, recent = versioned / "stale.json", versioned / "recent.json"
    for path, age_days in ((stale, 31), (recent, 29)):
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (time.time() - age_days * 86400,) * 2)
    make_runner(tmp_path).check_paths()
    assert not stale.exists() and recent.exists() and len(list(versioned.glob("*.json"))) == 2


def test_many_files_are_analysed_by_worker_processes(tmp_path: Path) -> None:
    # different sizes and lines per file: a result handed to the wrong file would show
    tree(
        tmp_path, {f"m{i:02}.py": "x = 1\n" * (i * 7 % 11) + "BAD\n" for i in range(3 * runner_module.IN_PROCESS_LIMIT)}
    )
    parallel = make_runner(tmp_path, use_cache=False, jobs=2).check_paths()
    serial = make_runner(tmp_path, use_cache=False, jobs=1).check_paths()
    assert found(parallel) == found(serial)
    here = f"BAD in process {os.getpid()}"
    assert all(r.findings[0].message != here for r in parallel)
    assert all(r.findings[0].message == here for r in serial)


def test_chunks_cover_every_task_once_biggest_first() -> None:
    sizes = [5, 500, 50, 5000, 1, 1, 1, 1] * 10
    tasks = [runner_module.Task(Path(f"{i}.py"), None, size) for i, size in enumerate(sizes)]  # type: ignore[arg-type]
    chunks = runner_module.balanced_chunks(tasks, jobs=2)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(len(tasks)))
    assert sizes[chunks[0][0]] == 5000 and len(chunks) >= 2 * 2
    assert all(len(chunk) <= runner_module.MAX_CHUNK for chunk in chunks)


def test_stdin_is_checked_as_the_named_file(tmp_path: Path) -> None:
    tree(tmp_path, {"pyproject.toml": '[tool.paraminit.per-file-ignores]\n"tests/*" = ["PIN001"]\n'})
    named = make_runner(tmp_path, stdin_filename="src/m.py").check_stdin(b"BAD\n")
    assert found(named) == {"src/m.py": [1]} and named[0].text() == "BAD\n"
    assert found(make_runner(tmp_path, stdin_filename="tests/t.py").check_stdin(b"BAD\n")) == {"tests/t.py": []}
