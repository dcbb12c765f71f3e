"""The project-wide class index on real packages laid out on disk: bases from other files
(relative imports, ``__init__`` re-exports, absolute imports, an installed package), through
the CLI runner, the results cache (edit or delete the base: the dependant's findings
follow), ``--jobs``, pre-commit's staged-files-only calls and flake8."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.workspace.config import Overrides, Resolver
from ruff_like_rules.workspace.runner import Runner, RunOptions

BASE = """\
import torch
from torch import nn


class MultiheadAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def reset_parameters(self):
        nn.init.xavier_normal_(self.bias_k)
        nn.init.xavier_normal_(self.bias_v)

    def forward(self, x):
        return x + self.bias_k + self.bias_v
"""

SUBCLASS = """\
import torch
from torch import nn
from {import_from} import MultiheadAttention


class SelectionAttention(MultiheadAttention):
    def __init__(self, dim):
        super().__init__(dim)
        self.bias_k = nn.Parameter(torch.Tensor(1, 1, dim))
        self.bias_v = nn.Parameter(torch.Tensor(1, 1, dim))
        self.pad_token = nn.Parameter(torch.empty(dim))
        self.reset_parameters()


class Heads(MultiheadAttention):
    def __init__(self, dim):
        super().__init__(dim)
        self.heads = [nn.Linear(dim, dim) for _ in range(4)]
"""


def layout(root: Path, import_from: str = ".modules.attention", reexport: bool = False) -> Path:
    """``pkg/modules/attention.py`` defines the base, ``pkg/selection.py`` subclasses it."""
    modules = root / "pkg" / "modules"
    modules.mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    init = "from .attention import MultiheadAttention\n" if reexport else ""
    (modules / "__init__.py").write_text(init, encoding="utf-8")
    (modules / "attention.py").write_text(BASE, encoding="utf-8")
    (root / "pkg" / "selection.py").write_text(SUBCLASS.format(import_from=import_from), encoding="utf-8")
    return root


def check(root: Path, *paths: str, jobs: int = 1, use_cache: bool = False) -> list[tuple[str, int, str]]:
    runner = Runner(Resolver(overrides=Overrides(), cwd=root), RunOptions(paths=paths or (".",), jobs=jobs, use_cache=use_cache))
    return [(r.display, f.start.line, f.code) for r in runner.check_paths() for f in r.findings]


EXPECTED = [("pkg/selection.py", 11, "PIN001"), ("pkg/selection.py", 18, "PIN006")]


@pytest.mark.parametrize(
    ("import_from", "reexport"),
    [(".modules.attention", False), (".modules", True), ("pkg.modules.attention", False), ("pkg.modules", True)],
)
def test_inherited_initializer_and_module_ancestry_come_from_the_base_file(
    tmp_path: Path, import_from: str, reexport: bool
) -> None:
    # bias_k/bias_v: written by the base's reset_parameters; pad_token: by nothing; the plain
    # list is seen because the nn.Module ancestry runs through the other file
    assert check(layout(tmp_path, import_from, reexport)) == EXPECTED


def test_a_missing_relative_base_is_not_judged(tmp_path: Path) -> None:
    root = layout(tmp_path)
    (root / "pkg" / "modules" / "attention.py").unlink()
    assert check(root) == []


def test_a_base_in_an_installed_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    layout(site)
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text(SUBCLASS.format(import_from="pkg.modules.attention"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    from ruff_like_rules.analysis import project as project_module

    monkeypatch.setattr(project_module, "_PROJECTS", {})  # a fresh index reads the new sys.path
    assert check(project) == [("model.py", 11, "PIN001"), ("model.py", 18, "PIN006")]


def test_cache_follows_edits_and_deletion_of_the_base(tmp_path: Path) -> None:
    root = layout(tmp_path)
    base = root / "pkg" / "modules" / "attention.py"
    assert check(root, use_cache=True) == EXPECTED
    base.write_text(BASE.replace("nn.init.xavier_normal_(self.bias_v)", "pass"), encoding="utf-8")
    assert check(root, use_cache=True) == [("pkg/selection.py", 10, "PIN001"), *EXPECTED]
    base.unlink()
    assert check(root, use_cache=True) == []
    assert check(root, use_cache=True) == check(root)


def test_one_file_and_many_jobs_see_the_bases_on_disk(tmp_path: Path) -> None:
    root = layout(tmp_path)
    for copy in range(12):  # enough files for the process pool
        shutil.copyfile(root / "pkg" / "selection.py", root / "pkg" / f"copy{copy}.py")
    many = check(root, jobs=2)
    assert len(many) == 13 * 2
    # pre-commit hands over only the staged file; its base is still read from disk
    assert check(root, "pkg/selection.py") == EXPECTED


def test_the_single_buffer_analysis_reads_the_base_on_disk(tmp_path: Path) -> None:
    """What the LSP and flake8 do: an unsaved text, analysed as the file it will be."""
    root = layout(tmp_path)
    settings = Resolver(overrides=Overrides(), cwd=root).settings_for(root / "pkg" / "selection.py")
    text = SUBCLASS.format(import_from=".modules.attention").replace("self.reset_parameters()", "pass")
    alone = {(f.start.line, f.code) for f in analyze_source(text, settings)}
    indexed = {(f.start.line, f.code) for f in analyze_source(text, settings, origin=root / "pkg" / "selection.py")}
    assert alone == set()  # without the index a relative base hides everything
    # the base's reset_parameters writes bias_k/bias_v, but nothing calls it any more
    assert indexed == {(9, "PIN003"), (10, "PIN003"), (11, "PIN001"), (18, "PIN006")}


FLAKE8 = shutil.which("flake8")


@pytest.mark.skipif(FLAKE8 is None, reason="flake8 must be installed")
def test_flake8_reads_the_base_file(tmp_path: Path) -> None:
    root = layout(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PIN", "pkg/selection.py"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert [line.split(" ")[1] + "@" + line.split(":")[1] for line in done.stdout.splitlines()] == [
        "PIN001@11",
        "PIN006@18",
    ]


FRAMEWORK_MODULE = """\
import torch.nn as nn


class Module(nn.Module):
    \"\"\"Built on meta, then ``init_states()`` initializes every own parameter from a table.\"\"\"

    def __init__(self):
        super().__init__()
        self._param_init = None

    def init_states(self):
        for child in self.children():
            child.init_states()
        self._init_self_parameters()

    def _init_self_parameters(self):
        for name, param in self.named_parameters(recurse=False):
            self._param_init[name](param)
"""

EXPERTS = """\
import torch
import torch.nn as nn
from framework.module import Module


class GroupedExperts(Module):
    def __init__(self, dim, experts):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(experts, dim, dim))
        self.w2 = nn.Parameter(torch.empty(experts, dim, dim))
"""


@pytest.mark.parametrize("writes", [True, False])
def test_a_framework_base_initializing_every_own_parameter_from_a_table(tmp_path: Path, writes: bool) -> None:
    package = tmp_path / "framework"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    base = FRAMEWORK_MODULE if writes else FRAMEWORK_MODULE.replace("self._param_init[name](param)", "print(name)")
    (package / "module.py").write_text(base, encoding="utf-8")
    (package / "experts.py").write_text(EXPERTS, encoding="utf-8")
    expected = [] if writes else [("framework/experts.py", 9, "PIN001"), ("framework/experts.py", 10, "PIN001")]
    assert check(tmp_path) == expected


def test_a_plain_list_of_modules_whose_class_another_file_defines(tmp_path: Path) -> None:
    root = layout(tmp_path)
    (root / "pkg" / "towers.py").write_text(
        "from torch import nn\nfrom .modules.attention import MultiheadAttention\n\n\n"
        "class Tower(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n"
        "        self.blocks = [MultiheadAttention(d) for _ in range(2)]\n        self.names = [str(d)]\n",
        encoding="utf-8",
    )
    assert check(root, "pkg/towers.py") == [("pkg/towers.py", 8, "PIN006")]


SCALE = """\
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))


class Tower(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.scales = nn.ModuleList([Scale(n) for _ in range(2)])


class Loose(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))
"""

# (train.py, the classes PIN101 reports): only what a meta build of the project reaches
MISSING_RESET_CASES = {
    "meta-context-builds-the-tower": (
        'import torch\nfrom models.scale import Tower\n\nwith torch.device("meta"):\n    model = Tower(4)\n'
        'model.to_empty(device="cpu")\n', ["Scale"]),
    "device-keyword": ('from models import scale\n\nmodel = scale.Loose(4, device="meta")\n', ["Loose"]),
    "to-empty-on-a-construction": (
        'from models.scale import Scale\n\ndef build():\n    model = Scale(4)\n    model.to_empty(device="cpu")\n',
        ["Scale"]),
    "empty-weights-from-config": (
        'from accelerate import init_empty_weights\nfrom models.scale import Tower\n\n'
        'with init_empty_weights():\n    model = Tower.from_config(4)\n', ["Scale"]),
    "built-through-a-variable": ('import torch\n\ndef build(factory):\n    with torch.device("meta"):\n'
                                 '        return factory()\n', []),
    "never-on-meta": ("from models.scale import Tower\n\nTower(4)\n", []),
}


@pytest.mark.parametrize("case", sorted(MISSING_RESET_CASES))
def test_missing_reset_parameters_only_for_classes_a_meta_build_reaches(tmp_path: Path, case: str) -> None:
    train, expected = MISSING_RESET_CASES[case]
    package = tmp_path / "models"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "scale.py").write_text(SCALE, encoding="utf-8")
    (package / "train.py").write_text(train, encoding="utf-8")
    resolver = Resolver(overrides=Overrides(select=("PIN101",), preview=True), cwd=tmp_path)
    runner = Runner(resolver, RunOptions(jobs=1, use_cache=False))
    found = [f.message.split("`")[1] for r in runner.check_paths() for f in r.findings]
    assert found == expected
