"""The object the ``param_init`` fixture gives a test: build or check modules; a finding fails the test.

The checker (and torch) is imported on first use, so that a test run without torch collects.
"""

from __future__ import annotations

import pytest

from .settings import allowing, deferred_initializer, session_recorder, shown, verdict


class ParamInit:
    """Build modules under the checker inside a test; a finding fails the test with the report."""

    def __init__(self, config: pytest.Config, nodeid: str, allow) -> None:
        self._config, self._nodeid, self._allow = config, nodeid, allow

    def __call__(self, factory, *args, **kwargs):
        """Build ``factory(*args, **kwargs)`` under watch; return the module when it is clean."""
        from .checker import build_and_check

        module, report = build_and_check(factory, *args, allow=self._allow, **kwargs)
        return self._verdict(module, report, "built")

    def check(self, module, example_input=None):
        """Check an existing module (values only: it was not built under watch)."""
        from .checker import check_module

        return self._verdict(module, check_module(module, allow=self._allow, example_input=example_input), "checked")

    def deferred(self, factory, *args, initialize=None, **kwargs):
        """Build on meta, ``to_empty()``, run ``initialize`` (default: the ini's
        ``param_init_deferred_initializer``, else ``reset_parameters()`` on every submodule), then check."""
        from .deferred import build_deferred_and_check

        module, report = build_deferred_and_check(factory, *args, allow=self._allow, **kwargs,
                                                  initialize=initialize or deferred_initializer(self._config))
        return self._verdict(module, report, "built")

    def allowing(self, allow: dict) -> ParamInit:
        """The same fixture with more allowed checks: ``param_init.allowing({"*.lora_B": "constant"})``."""
        return ParamInit(self._config, self._nodeid, self._allow + allowing(allow))

    def _verdict(self, module, report, how: str):
        """Record the report, titled with the test line that built or checked it (as the flag's reports are)."""
        from .capture import user_site

        report.title = f"{report.title} {how} at {user_site()}"
        session_recorder(self._config).add(report, self._nodeid, self._allow)
        verdict(self._config, self._nodeid, [shown(self._config, report)] if report.failed else [])
        return module
