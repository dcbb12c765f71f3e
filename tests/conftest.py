"""Shared by every test directory."""

from __future__ import annotations

import pytest

# The dev extra has pytest-asyncio (through pytest-lsp); its configure hook warns in every pytest run
# whose ini does not set this, and pytester's runs start in a bare directory. Set for those runs
# (pyproject.toml sets it for this suite), the suite stays warning-clean: `-W error` passes.
INNER_RUN_OPTIONS = "-o asyncio_default_fixture_loop_scope=function"


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_RUN_OPTIONS)  # after pytester's own setup, which clears it
    return pytester
