"""``--check-param-init``: check every module built during a test's setup and call phases, or while a
test file (or a ``conftest.py`` below the rootdir's) is imported.

:mod:`construction` reports each module whose outermost constructor returns while a phase is
watched; a module with findings fails the test once the phase ends.  A module with findings that a
later test receives from a fixture (a cached module- or session-scoped one, or a module built at
import time) fails that test's setup too, as pytest errors every test of a failing fixture.  A module
built at import time fails the collection of the file that built it.  The checker (and torch) is
imported only when the flag is given.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Iterator

import pytest

from .settings import MARKER, allow_list, deferred_initializer, report_only, session_recorder, shown, verdict

_CHECKED = pytest.StashKey["weakref.WeakSet"]()  # modules checked so far in one test
_FAILED = pytest.StashKey["weakref.WeakKeyDictionary"]()  # module -> its report and where it was reported


def _failed_modules(config: pytest.Config) -> weakref.WeakKeyDictionary:
    return config.stash.setdefault(_FAILED, weakref.WeakKeyDictionary())


@contextlib.contextmanager
def _watched(config: pytest.Config, nodeid: str, allow, checked: weakref.WeakSet) -> Iterator[list[str]]:
    """Check each module built inside the block (and, with ``--param-init-deferred``, its rebuild on the
    meta device); yields the rendered reports of those with findings."""
    from . import construction
    from .checker import check_module

    recorder, failed, failing = session_recorder(config), _failed_modules(config), []
    deferred = config.getoption("param_init_deferred")

    def observe(module, tracker, site):
        report = check_module(module, tracker=tracker, allow=allow,
                              title=f"{type(module).__qualname__} built at {site}", already_checked=checked)
        checked.update(module.modules())
        recorder.add(report, nodeid, allow)
        if report.failed:
            failing.append(shown(config, report))  # now: the test may change the values before it ends
            failed[module] = (failing[-1], nodeid)
        if deferred:
            failing.extend(check_again_deferred(module, config, allow, nodeid))

    construction.set_observer(observe)
    try:
        yield failing
    finally:
        construction.set_observer(None)


def _enabled(config: pytest.Config) -> bool:
    return config.getoption("check_param_init") or config.getoption("param_init_deferred")


def _watching(item: pytest.Item) -> bool:
    marker = item.get_closest_marker(MARKER)
    return _enabled(item.config) and not (marker and marker.kwargs.get("skip"))


@contextlib.contextmanager
def watch_phase(item: pytest.Item, phase: str) -> Iterator[None]:
    """Check each module built inside the block; fail the test if any has findings (or, after setup,
    if a fixture hands it a module found failing in an earlier test or at import time)."""
    if not _watching(item):
        yield
        return
    checked = item.stash.setdefault(_CHECKED, weakref.WeakSet())  # shared by the setup and call phases
    with _watched(item.config, item.nodeid, allow_list(item.config, item), checked) as failing:
        yield
    if phase == "setup":
        received = _received_failures(item, checked)
        if received:
            session_recorder(item.config).fail(item.nodeid)
            failing.extend(received)
    verdict(item.config, item.nodeid, failing)


def _received_failures(item: pytest.Item, checked: weakref.WeakSet) -> list[str]:
    """The reports of failing modules this test receives as fixture values but did not build itself."""
    failed = _failed_modules(item.config)
    if not failed:
        return []
    values = list(getattr(item, "funcargs", {}).values())
    values += [v for value in list(values) if isinstance(value, (list, tuple, dict))
               for v in (value.values() if isinstance(value, dict) else value)]
    reports: dict[str, None] = {}
    for value in values:
        for module in (value.modules() if hasattr(value, "modules") and callable(value.modules) else ()):
            if module in failed and module not in checked:
                text, first = failed[module]
                reports[f"{text}\n  (received from a fixture; first reported in {first})"] = None
    return list(reports)


@contextlib.contextmanager
def watch_collection(collector: pytest.Collector) -> Iterator[list[str]]:
    """Check each module built while a test file or conftest.py is imported (``MODEL = Net()``)."""
    config = collector.config
    if not (_enabled(config) and isinstance(collector, (pytest.Module, pytest.Package, pytest.Dir))):
        yield []
        return
    with _watched(config, collector.nodeid, allow_list(config), weakref.WeakSet()) as failing:
        yield failing


def collection_verdict(collector: pytest.Collector, report: pytest.CollectReport, failing: list[str]) -> None:
    """Fail the collection of the file that built modules with findings (report-only mode: show them)."""
    if not failing or not report.passed:
        return
    if report_only(collector.config):
        session_recorder(collector.config).show(collector.nodeid, failing)
    else:
        report.outcome, report.longrepr, report.result = "failed", "\n\n".join(failing), []


def check_again_deferred(module, config: pytest.Config, allow, nodeid: str) -> list[str]:
    """``--param-init-deferred``: the module built again on meta, materialized and initialized; its failing report."""
    from . import construction
    from .deferred import rebuild_deferred

    arguments = construction.constructor_arguments(module)
    if arguments is None:
        return []
    with construction.unobserved():
        report = rebuild_deferred(module, *arguments, allow=allow, initialize=deferred_initializer(config))
    if report is None:
        return []
    session_recorder(config).add(report, nodeid, allow)
    return [shown(config, report)] if report.failed else []
