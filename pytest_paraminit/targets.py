"""``param_init_targets``: every ``nn.Module`` class of the listed import paths becomes a test item.

The items are collected under the target module's own file (``pkg/models.py::MyModel``), so
``-k``, node ids on the command line, ``--lf``/``--ff``, ``--deselect``, ``--collect-only``,
junitxml and skip locations treat them as any test.  A file the directory walk reaches is collected
there; the others are collected after the walk, unless every argument names a file or a node id
(``pytest tests/test_x.py`` runs that file only; ``--param-init-target`` is always collected).
Each item builds its class (through the ``pytest_paraminit_build`` hook, else ``cls()``) under watch
and fails with the report.  torch is imported when a target file is collected, never before.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

from .settings import allow_list, deferred_initializer, session_recorder, shown, verdict

_FILES = pytest.StashKey["TargetFiles"]()


class TargetItem(pytest.Item):
    """One ``nn.Module`` subclass from ``param_init_targets``, built and checked as its own test."""

    def __init__(self, *, target: type, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.funcargs: dict = {}  # some plugins' runtest wrappers (pytest-lsp) assume every item has it

    def runtest(self) -> None:
        from .capture import watch
        from .checker import check_module, describe_error

        try:
            with watch() as tracker:
                module = self._build()
        except Exception as error:  # a class without a default build is skipped, not failed
            # reported at the class's line, as a skip marker's reason is
            raise pytest.skip.Exception(f"cannot build {self.target.__qualname__}: {describe_error(error)}",
                                        _use_item_location=True) from None
        allow, title = allow_list(self.config, self), f"{self.target.__module__}.{self.target.__qualname__}"
        reports = [check_module(module, tracker=tracker, allow=allow, title=title)]
        if self.config.getoption("param_init_deferred"):
            reports.append(self._deferred_report(allow, title))
        for report in reports:
            session_recorder(self.config).add(report, self.nodeid, allow)
        verdict(self.config, self.nodeid, [shown(self.config, report) for report in reports if report.failed])

    def _deferred_report(self, allow, title: str):
        """``--param-init-deferred``: the same build on the meta device, materialized and initialized."""
        from .deferred import build_deferred_and_check

        def build():
            return self._build()

        build.__qualname__ = title
        return build_deferred_and_check(build, allow=allow, initialize=deferred_initializer(self.config))[1]

    def _build(self):
        """The target built by the ``pytest_paraminit_build`` hook, else with no arguments."""
        module = self.config.hook.pytest_paraminit_build(cls=self.target, config=self.config)
        return self.target() if module is None else module

    def reportinfo(self):
        try:
            line = inspect.getsourcelines(self.target)[1] - 1
        except (OSError, TypeError):
            line = None
        return self.path, line, f"{self.target.__module__}.{self.target.__qualname__}"


def target_classes(path: str) -> list[type]:
    """The class ``pkg.mod:Class``, or every concrete ``nn.Module`` subclass defined in ``pkg.mod``."""
    from torch import nn

    module_path, _, class_name = path.partition(":")
    imported = importlib.import_module(module_path)
    if class_name:
        return [getattr(imported, class_name)]
    return [
        value for _, value in sorted(vars(imported).items())
        if inspect.isclass(value) and issubclass(value, nn.Module) and value.__module__ == imported.__name__
        and not inspect.isabstract(value)
    ]


class TargetFile(pytest.File):
    """A target module's file: an item per class its import paths name; one that cannot be imported is
    this file's collection error, as an unimportable test file is."""

    def __init__(self, *, specs: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.specs = specs

    def collect(self):
        TargetFiles.of(self.config).collected.add(self.path.resolve())
        classes: dict[type, None] = {}
        for spec in self.specs:
            try:
                classes.update(dict.fromkeys(target_classes(spec)))
            except (ImportError, AttributeError) as error:
                raise self.CollectError(f"cannot import {spec}: {error}") from None
        return [TargetItem.from_parent(self, name=cls.__qualname__, target=cls) for cls in classes]


class MissingTarget(pytest.Collector):
    """An import path that names no file: a collection error."""

    def collect(self):
        raise self.CollectError(f"cannot import {self.name}: no module named {self.name.partition(':')[0]!r}")


class TargetFiles:
    """Where each import path of ``param_init_targets`` and ``--param-init-target`` lives, found without
    importing the module itself (``find_spec`` imports its parent packages only)."""

    def __init__(self, config: pytest.Config) -> None:
        ini = list(config.getini("param_init_targets"))
        option = list(config.getoption("param_init_target"))
        self.files: dict[Path, tuple[str, ...]] = {}
        self.missing: list[str] = []
        self.explicit: set[str] = set(option)  # collected even when the arguments name files only
        self.collected: set[Path] = set()  # files collected so far (by the directory walk, or as an argument)
        for spec in dict.fromkeys(ini + option):
            path = _module_file(spec.partition(":")[0])
            if path is None:
                self.missing.append(spec)
            else:
                self.files[path] = (*self.files.get(path, ()), spec)

    @classmethod
    def of(cls, config: pytest.Config) -> TargetFiles:
        if _FILES not in config.stash:
            config.stash[_FILES] = cls(config)
        return config.stash[_FILES]


def _module_file(module_path: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module_path)
    except (ImportError, ValueError, AttributeError):
        return None
    if spec is None or not spec.has_location or not spec.origin:
        return None
    return Path(spec.origin).resolve()


def collect_target_file(file_path: Path, parent: pytest.Collector) -> TargetFile | None:
    """The :class:`TargetFile` for ``file_path`` when a target import path lives there (``pytest_collect_file``)."""
    targets = TargetFiles.of(parent.config)
    if not targets.files or file_path.suffix != ".py":
        return None
    resolved = file_path.resolve()
    specs = targets.files.get(resolved)
    if specs is None:
        return None
    return TargetFile.from_parent(parent, path=file_path, specs=specs)


def _narrowed(config: pytest.Config) -> bool:
    """Every command-line argument names a file or a node id: the user selected what to run."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return False
    return all("::" in arg or Path(config.invocation_params.dir, arg).is_file() for arg in config.args)


def collect_remaining_targets(session: pytest.Session) -> list[pytest.Item]:
    """The items of target files the directory walk did not reach, collected (and reported) as any file."""
    targets = TargetFiles.of(session.config)
    narrowed = _narrowed(session.config)
    wanted = {path: tuple(spec for spec in specs if not narrowed or spec in targets.explicit)
              for path, specs in targets.files.items() if path not in targets.collected}
    nodes: list[pytest.Collector] = [TargetFile.from_parent(session, path=path, specs=specs)
                                     for path, specs in wanted.items() if specs]
    nodes += [MissingTarget.from_parent(session, name=spec, path=session.path) for spec in targets.missing
              if not narrowed or spec in targets.explicit]
    return [item for node in nodes for item in session.genitems(node)]
