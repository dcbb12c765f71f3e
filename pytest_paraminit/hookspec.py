"""The hook this plugin adds, for a project's ``conftest.py`` (registered by ``plugin.pytest_addhooks``)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookspec(firstresult=True)
def pytest_paraminit_build(cls: type, config: pytest.Config) -> Any:
    """Build an instance of the ``param_init_targets`` class ``cls``; return ``None`` to decline.

    Called while the checker watches.  The first non-``None`` result is checked; if every
    implementation declines, ``cls()`` is tried, and a class that cannot be built is skipped.
    """
