"""pytest plugin: options, ini keys, the marker, the ``param_init`` fixture and the hooks.

Registered through the ``pytest11`` entry point.  Each hook hands its work to a module of its own:
:mod:`fixture`, :mod:`phases` (``--check-param-init``), :mod:`targets` (``param_init_targets``),
:mod:`recorder` (counts, ``--param-init-report``, pytest-xdist); :mod:`hookspec` holds the hook
this plugin adds.  None of them imports torch before it is needed, so pytest keeps working for a
user who has the package but not torch.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from . import hookspec, initializers
from .fixture import ParamInit
from .phases import collection_verdict, watch_collection, watch_phase
from .recorder import Recorder
from .settings import (MARKER, RECORDER, allow_list, check_markers, deferred_initializer, report_only,
                       report_path, reports_here, session_recorder)
from .targets import collect_remaining_targets, collect_target_file

SPOOL = pytest.StashKey[Path]()  # pytest-xdist controller: the directory of the workers' spool files


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspec)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paraminit", "PyTorch parameter initialization checks")
    group.addoption("--check-param-init", action="store_true", default=False,
                    help="check every nn.Module built during a test when its outermost constructor returns")
    group.addoption("--param-init-target", action="append", default=[], metavar="IMPORT_PATH",
                    help="module (pkg.models) or class (pkg.models:MyModel) whose nn.Module classes become tests")
    group.addoption("--param-init-deferred", action="store_true", default=False,
                    help="like --check-param-init, and build every such module a second time on the meta "
                         "device (to_empty() + the deferred initializer) and check that build too")
    group.addoption("--param-init-deferred-initializer", metavar="NAME", default=None,
                    help="what runs after to_empty(): reset_parameters (default), init_weights, _init_weights, "
                         "post_init, or package.module:function")
    group.addoption("--param-init-report", metavar="FILE", default=None,
                    help="write every checked module's report as JSON to FILE")
    group.addoption("--param-init-mode", choices=("fail", "warn"), default="fail",
                    help="fail (default): a finding fails its test; warn: report only, findings are shown in "
                         "the summary and written to the report, and no test fails for them")
    group.addoption("--param-init-all-ranks", action="store_true", default=False,
                    help="under torchrun, show reports (and write --param-init-report, as FILE.rank<N>) on every "
                         "rank, not on rank 0 only")
    parser.addini("param_init_targets", "import paths whose nn.Module subclasses each become a test item",
                  type="linelist", default=[])
    parser.addini("param_init_deferred_initializer",
                  "initializer for param_init.deferred and --param-init-deferred (see the CLI option)",
                  default="reset_parameters")
    parser.addini("param_init_all_ranks", "like --param-init-all-ranks", type="bool", default=False)
    parser.addini("param_init_allow", "allowed checks per parameter glob, one 'glob: check-id, ...' a line",
                  type="linelist", default=[])
    parser.addini("param_init_ignore", "check ids not run at all (their findings are neither shown nor counted)",
                  type="linelist", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(allow={{glob: check-ids}}, skip=False): allow checks for parameter globs, "
        "or skip the --check-param-init check in this test (skip=True or a reason)",
    )
    recorder = config.stash[RECORDER] = Recorder(keep_records=bool(config.getoption("param_init_report")),
                                                 report_only=report_only(config))
    spool = getattr(config, "workerinput", {}).get("paraminit_spool")
    if spool is not None:  # a pytest-xdist worker
        recorder.spool = open(spool, "w", encoding="utf-8")  # noqa: SIM115 (closed at sessionfinish)
    if config.getini("param_init_allow") or config.getini("param_init_ignore"):
        allow_list(config)  # a typo in a check id is a usage error before any test runs
    try:
        initializers.resolve(deferred_initializer(config))  # a typo is a usage error before any test runs
    except initializers.InitializerError as error:
        raise pytest.UsageError(str(error)) from None
    if config.getoption("check_param_init") or config.getoption("param_init_deferred"):
        try:
            from . import construction
        except ImportError as error:
            raise pytest.UsageError(f"--check-param-init needs torch: {error}") from None
        construction.install()
        config.add_cleanup(construction.uninstall)


@pytest.fixture
def param_init(request: pytest.FixtureRequest) -> ParamInit:
    """``param_init(MyModel, *args, **kwargs)``, ``param_init.check(module)``, ``param_init.deferred(MyModel)``."""
    return ParamInit(request.config, request.node.nodeid, allow_list(request.config, request.node))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list) -> None:
    items.extend(collect_remaining_targets(session))
    check_markers(items)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    return collect_target_file(file_path, parent)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """A module with findings built at import time fails the collection of the file that built it."""
    with watch_collection(collector) as failing:
        report = yield
    collection_verdict(collector, report, failing)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with watch_phase(item, "setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with watch_phase(item, "call"):
        return (yield)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    recorder = session_recorder(config)
    if recorder.spool is not None:  # a pytest-xdist worker: the controller merges its spool and writes
        recorder.spool.close()
        return
    path = report_path(config)
    if path:
        Path(path).write_text(json.dumps(session_recorder(config).to_json(), indent=2, allow_nan=False) + "\n", encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist controller: give each worker a spool file for its records."""
    spool = node.config.stash.get(SPOOL, None)
    if spool is None:
        spool = node.config.stash[SPOOL] = Path(tempfile.mkdtemp(prefix="paraminit-xdist-"))
        node.config.add_cleanup(lambda: shutil.rmtree(spool, ignore_errors=True))
    node.workerinput["paraminit_spool"] = str(spool / f"{node.gateway.id}-{len(list(spool.iterdir()))}.jsonl")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist: merge a worker's spooled counts and reports into the controller's, also when it died."""
    path = node.workerinput.get("paraminit_spool")
    if path is None:
        return
    recorder = session_recorder(node.config)
    recorder.merge_spool(Path(path))
    Path(path).unlink(missing_ok=True)
    if error is not None:
        recorder.lost_workers.append(f"{node.gateway.id}: {str(error).strip().splitlines()[-1]}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    recorder = session_recorder(config)
    if not recorder.modules or not reports_here(config):
        return
    terminalreporter.section("paraminit")
    for line in recorder.summary():
        terminalreporter.write_line(line)
    path = report_path(config)
    if path:
        terminalreporter.write_line(f"paraminit report written to {path}")
