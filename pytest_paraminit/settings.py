"""What the plugin's parts share in one pytest run: the session recorder and a test's allow list.

The fixture, the ``--check-param-init`` phases and the target items read these before anything is
built, so nothing here imports torch.
"""

from __future__ import annotations

import os

import pytest

from .allow import AllowList
from .recorder import Recorder

MARKER = "param_init"
MARKER_KEYWORDS = ("allow", "skip")
RECORDER = pytest.StashKey[Recorder]()


def session_recorder(config: pytest.Config) -> Recorder:
    """This process's recorder (made by ``plugin.pytest_configure``)."""
    return config.stash[RECORDER]


def _marker_allow(marker: pytest.Mark) -> AllowList:
    unknown = sorted(set(marker.kwargs) - set(MARKER_KEYWORDS))
    if unknown or marker.args:
        wrong = ", ".join([f"{key}=" for key in unknown] + [repr(arg) for arg in marker.args])
        raise ValueError(f"@pytest.mark.{MARKER}: unknown argument {wrong}; it takes "
                         + " and ".join(f"{key}=" for key in MARKER_KEYWORDS))
    return AllowList.from_mapping(marker.kwargs.get("allow"), f"@pytest.mark.{MARKER}")


def allow_list(config: pytest.Config, node: pytest.Item | None = None) -> AllowList:
    """The ini's ``param_init_allow``, then ``node``'s ``param_init`` markers, outermost first.

    A malformed line, an unknown check id or marker argument is a usage error, not a failed test.
    """
    try:
        allow = AllowList.from_lines(config.getini("param_init_allow")) + AllowList.ignoring(
            config.getini("param_init_ignore"))
        if node is not None:
            for marker in reversed(list(node.iter_markers(MARKER))):
                allow = allow + _marker_allow(marker)
        return allow
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def report_only(config: pytest.Config) -> bool:
    """``--param-init-mode=warn``: findings are shown and recorded, and no test fails for them."""
    return config.getoption("param_init_mode") == "warn"


def verdict(config: pytest.Config, nodeid: str, failing: list[str]) -> None:
    """Fail the running test with the failing reports, or, in report-only mode, keep them for the summary."""
    if not failing:
        return
    if report_only(config):
        session_recorder(config).show(nodeid, failing)
    else:
        pytest.fail("\n\n".join(failing), pytrace=False)


def deferred_initializer(config: pytest.Config) -> str:
    """The initializer the deferred path runs: ``--param-init-deferred-initializer``, else the ini's key."""
    return config.getoption("param_init_deferred_initializer") or config.getini("param_init_deferred_initializer")


def allowing(mapping) -> AllowList:
    """``param_init.allowing(mapping)``'s rules."""
    try:
        return AllowList.from_mapping(mapping, "param_init.allowing")
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def check_markers(items: list[pytest.Item]) -> None:
    """Every collected test's allow list, read once before any test runs: a typo stops the run there."""
    for item in items:
        if item.get_closest_marker(MARKER) is not None:
            try:
                allow_list(item.config, item)
            except pytest.UsageError as error:
                raise pytest.UsageError(f"{item.nodeid}: {error}") from None


def reports_here(config: pytest.Config) -> bool:
    """Whether this process shows reports: rank 0 of a ``torchrun`` job (``RANK``), every process outside one,
    every rank with ``--param-init-all-ranks`` or the ini's ``param_init_all_ranks``."""
    return os.environ.get("RANK", "0") == "0" or config.getoption("param_init_all_ranks") or bool(
        config.getini("param_init_all_ranks"))


def shown(config: pytest.Config, report) -> str:
    """A failing report as this process shows it: in full, or on ranks other than 0 a line saying where it is."""
    if reports_here(config):
        return report.render()
    what = report.error or f"{len(report.failures)} finding{'s' if len(report.failures) != 1 else ''}"
    return (f"paraminit: {report.title}: {what}; the report is on rank 0 (every rank's verdict is the same; "
            "--param-init-all-ranks shows it on every rank)")


def report_path(config: pytest.Config) -> str | None:
    """Where ``--param-init-report`` goes from this process: FILE on rank 0, FILE.rank<N> on rank N with
    ``--param-init-all-ranks``, nowhere on the other ranks (their verdicts are rank 0's)."""
    path = config.getoption("param_init_report")
    rank = os.environ.get("RANK", "0")
    if not path or rank == "0":
        return path
    return f"{path}.rank{rank}" if reports_here(config) else None
