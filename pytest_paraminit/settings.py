"""What the plugin's parts share in one pytest run: the session recorder and a test's allow list.

The fixture, the ``--check-param-init`` phases and the target items read these before anything is
built, so nothing here imports torch.
"""

from __future__ import annotations

import pytest

from .allow import AllowList
from .recorder import Recorder

MARKER = "param_init"
RECORDER = pytest.StashKey[Recorder]()


def session_recorder(config: pytest.Config) -> Recorder:
    """This process's recorder (made by ``plugin.pytest_configure``)."""
    return config.stash[RECORDER]


def allow_list(config: pytest.Config, node: pytest.Item | None = None, extra=None) -> AllowList:
    """The ini's ``param_init_allow``, then ``node``'s ``param_init`` markers, then ``extra`` (a mapping).

    A malformed line or an unknown check id is a usage error, not a failed test.
    """
    try:
        allow = AllowList.from_lines(config.getini("param_init_allow"))
        if node is not None:
            for marker in reversed(list(node.iter_markers(MARKER))):
                allow = allow + AllowList.from_mapping(marker.kwargs.get("allow"))
        return allow + AllowList.from_mapping(extra)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def deferred_initializer(config: pytest.Config) -> str:
    """The initializer the deferred path runs: ``--param-init-deferred-initializer``, else the ini's key."""
    return config.getoption("param_init_deferred_initializer") or config.getini("param_init_deferred_initializer")
