"""``param_init_targets``: every ``nn.Module`` class of the listed import paths becomes a test item.

Each item builds its class (through the ``pytest_paraminit_build`` hook, else ``cls()``) under watch
and fails with the report.  torch is imported when a target is collected, never before.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from .settings import allow_list, deferred_initializer, session_recorder, shown


class TargetItem(pytest.Item):
    """One ``nn.Module`` subclass from ``param_init_targets``, built and checked as its own test."""

    def __init__(self, *, target: type | None = None, import_error: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target, self.import_error = target, import_error
        self.funcargs: dict = {}  # some plugins' runtest wrappers (pytest-lsp) assume every item has it

    def runtest(self) -> None:
        if self.import_error:
            raise TargetFailure(self.import_error)
        from .capture import watch
        from .checker import check_module, describe_error

        try:
            with watch() as tracker:
                module = self._build()
        except Exception as error:  # a class without a default build is skipped, not failed
            pytest.skip(f"cannot build {self.target.__qualname__}: {describe_error(error)}")
        allow, title = allow_list(self.config, self), f"{self.target.__module__}.{self.target.__qualname__}"
        reports = [check_module(module, tracker=tracker, allow=allow, title=title)]
        if self.config.getoption("param_init_deferred"):
            reports.append(self._deferred_report(allow, title))
        for report in reports:
            session_recorder(self.config).add(report, self.nodeid, allow)
        if any(report.failed for report in reports):
            raise TargetFailure("\n\n".join(shown(self.config, report) for report in reports if report.failed))

    def _deferred_report(self, allow, title: str):
        """``--param-init-deferred``: the same build on the meta device, materialized and initialized."""
        from . import construction
        from .deferred import build_deferred_and_check

        def build():
            return self._build()

        build.__qualname__ = title
        with construction.unobserved():  # the --check-param-init hook must not watch the meta build
            return build_deferred_and_check(build, allow=allow, initialize=deferred_initializer(self.config))[1]

    def _build(self):
        """The target built by the ``pytest_paraminit_build`` hook, else with no arguments."""
        module = self.config.hook.pytest_paraminit_build(cls=self.target, config=self.config)
        return self.target() if module is None else module

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, TargetFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self.name


class TargetFailure(Exception):
    """A target class has findings (or could not be imported); the message is the report."""


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


def target_items(session: pytest.Session) -> list[TargetItem]:
    """An item per class of the ini's ``param_init_targets`` and ``--param-init-target``; one that
    fails per import path that cannot be imported."""
    config = session.config
    targets = list(config.getini("param_init_targets")) + list(config.getoption("param_init_target"))
    items = []
    for path in dict.fromkeys(targets):
        try:
            classes = target_classes(path)
        except (ImportError, AttributeError) as error:
            items.append(TargetItem.from_parent(session, name=f"paraminit[{path}]",
                                                import_error=f"cannot import {path}: {error}"))
            continue
        for cls in classes:
            items.append(TargetItem.from_parent(session, name=f"paraminit[{cls.__module__}.{cls.__qualname__}]",
                                                target=cls))
    return items
