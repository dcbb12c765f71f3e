"""``--check-param-init``: check every module built during a test's setup and call phases.

:mod:`construction` reports each module whose outermost constructor returns while a phase is
watched; a module with findings fails the test once the phase ends.  The checker (and torch) is
imported only when the flag is given.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Iterator

import pytest

from .settings import MARKER, allow_list, deferred_initializer, session_recorder

_CHECKED = pytest.StashKey["weakref.WeakSet"]()  # modules checked so far in one test


@contextlib.contextmanager
def watch_phase(item: pytest.Item) -> Iterator[None]:
    """Check each module built inside the block; fail the test if any has findings."""
    config = item.config
    marker = item.get_closest_marker(MARKER)
    deferred = config.getoption("param_init_deferred")
    if not (config.getoption("check_param_init") or deferred) or (marker and marker.kwargs.get("skip")):
        yield
        return
    from . import construction
    from .checker import check_module

    allow = allow_list(config, item)
    recorder = session_recorder(config)
    checked = item.stash.setdefault(_CHECKED, weakref.WeakSet())  # shared by the setup and call phases
    failing = []

    def observe(module, tracker, site):
        report = check_module(module, tracker=tracker, allow=allow,
                              title=f"{type(module).__qualname__} built at {site}", already_checked=checked)
        checked.update(module.modules())
        recorder.add(report, item.nodeid)
        if report.failed:
            failing.append(report.render())  # now: the test may change the values before it ends
        if deferred:
            failing.extend(check_again_deferred(module, config, allow, item.nodeid))

    construction.set_observer(observe)
    try:
        yield
    finally:
        construction.set_observer(None)
    if failing:
        pytest.fail("\n\n".join(failing), pytrace=False)


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
    session_recorder(config).add(report, nodeid)
    return [report.render()] if report.failed else []
