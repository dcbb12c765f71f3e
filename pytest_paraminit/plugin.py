"""pytest plugin: options, ini keys, markers, the ``param_init`` fixture, hooks and the hookspec.

Registered through the ``pytest11`` entry point.  torch is imported lazily so that pytest keeps
working for a user who has the package but not torch.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import weakref
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

_RECORDER = pytest.StashKey["Recorder"]()
_CHECKED = pytest.StashKey["weakref.WeakSet"]()  # modules checked so far in one test
_MARKER = "param_init"


class ParamInitHookspecs:
    @pytest.hookspec(firstresult=True)
    def pytest_paraminit_build(self, cls: type, config: pytest.Config) -> Any:
        """Build an instance of the ``param_init_targets`` class ``cls``; return ``None`` to decline.

        Called while the checker watches.  The first non-``None`` result is checked; if every
        implementation declines, ``cls()`` is tried, and a class that cannot be built is skipped.
        """


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(ParamInitHookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paraminit", "PyTorch parameter initialization checks")
    group.addoption("--check-param-init", action="store_true", default=False,
                    help="check every nn.Module built during a test when its outermost constructor returns")
    group.addoption("--param-init-target", action="append", default=[], metavar="IMPORT_PATH",
                    help="module (pkg.models) or class (pkg.models:MyModel) whose nn.Module classes become tests")
    group.addoption("--param-init-report", metavar="FILE", default=None,
                    help="write every checked module's report as JSON to FILE")
    parser.addini("param_init_targets", "import paths whose nn.Module subclasses each become a test item",
                  type="linelist", default=[])
    parser.addini("param_init_allow", "allowed checks per parameter glob, one 'glob: check-id, ...' a line",
                  type="linelist", default=[])


# -- session state ------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Counts and JSON records of every checked module in this process (merged from xdist workers).

    Records are kept only for ``--param-init-report``: turning every report into JSON reads each
    parameter's min, max and histogram again.
    """

    keep_records: bool = False
    modules: int = 0
    parameters: int = 0
    seconds: float = 0.0
    findings: Counter = field(default_factory=Counter)
    failed_tests: set = field(default_factory=set)
    records: list = field(default_factory=list)

    def add(self, report, nodeid: str) -> None:
        self.modules += 1
        self.parameters += len(report.parameters)
        self.seconds += report.seconds
        self.findings.update(f.check for f in report.failures)
        if report.failed:
            self.failed_tests.add(nodeid)
        if self.keep_records:
            self.records.append({"test": nodeid, **report.to_json()})

    def to_json(self) -> dict:
        return {"modules": self.modules, "parameters": self.parameters, "seconds": self.seconds,
                "findings": dict(self.findings),
                "failed_tests": sorted(self.failed_tests), "reports": self.records}

    def merge(self, data: dict) -> None:
        self.modules += data["modules"]
        self.parameters += data["parameters"]
        self.seconds += data["seconds"]
        self.findings.update(data["findings"])
        self.failed_tests.update(data["failed_tests"])
        self.records.extend(data["reports"])


def _allow_list(config: pytest.Config, node: pytest.Item | None = None, extra=None):
    from .allow import AllowList

    try:
        allow = AllowList.from_lines(config.getini("param_init_allow"))
        if node is not None:
            for marker in reversed(list(node.iter_markers(_MARKER))):
                allow = allow + AllowList.from_mapping(marker.kwargs.get("allow"))
        return allow + AllowList.from_mapping(extra)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "param_init(allow={glob: check-ids}, skip=False): allow checks for parameter globs, "
        "or skip the --check-param-init check in this test (skip=True or a reason)",
    )
    config.stash[_RECORDER] = Recorder(keep_records=bool(config.getoption("param_init_report")))
    if config.getini("param_init_allow"):
        _allow_list(config)  # a typo in a check id is a usage error before any test runs
    if config.getoption("check_param_init"):
        try:
            from . import construction
        except ImportError as error:
            raise pytest.UsageError(f"--check-param-init needs torch: {error}") from None
        construction.install()
        config.add_cleanup(construction.uninstall)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    recorder = config.stash[_RECORDER]
    if hasattr(config, "workeroutput"):
        config.workeroutput["paraminit"] = json.dumps(recorder.to_json())
        return
    path = config.getoption("param_init_report")
    if path:
        Path(path).write_text(json.dumps(recorder.to_json(), indent=2) + "\n", encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist: merge a finished worker's counts and reports into the controller's."""
    data = getattr(node, "workeroutput", {}).get("paraminit")
    if data:
        node.config.stash[_RECORDER].merge(json.loads(data))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    recorder = config.stash[_RECORDER]
    if not recorder.modules:
        return
    terminalreporter.section("paraminit")
    found = sum(recorder.findings.values())
    by_check = ", ".join(f"{check}: {count}" for check, count in sorted(recorder.findings.items()))
    terminalreporter.write_line(
        f"checked {recorder.modules} module{'s' if recorder.modules != 1 else ''}, "
        f"{recorder.parameters} parameters: {found} finding{'s' if found != 1 else ''}"
        + (f" ({by_check}) in {len(recorder.failed_tests)} test{'s' if len(recorder.failed_tests) != 1 else ''}"
           if found else "")
    )
    terminalreporter.write_line(f"time spent checking: {recorder.seconds:.2f} s")
    path = config.getoption("param_init_report")
    if path:
        terminalreporter.write_line(f"paraminit report written to {path}")


# -- --check-param-init --------------------------------------------------------------------------


@contextlib.contextmanager
def _watch_phase(item: pytest.Item) -> Iterator[None]:
    """Check each module built inside the block; fail the test if any has findings."""
    config = item.config
    marker = item.get_closest_marker(_MARKER)
    if not config.getoption("check_param_init") or (marker and marker.kwargs.get("skip")):
        yield
        return
    from . import construction
    from .checker import check_module

    allow = _allow_list(config, item)
    recorder = config.stash[_RECORDER]
    checked = item.stash.setdefault(_CHECKED, weakref.WeakSet())  # shared by the setup and call phases
    failing = []

    def observe(module, tracker, site):
        report = check_module(module, tracker=tracker, allow=allow, title=f"{type(module).__qualname__} built at {site}",
                              already_checked=checked)
        checked.update(module.modules())
        recorder.add(report, item.nodeid)
        if report.failed:
            failing.append(report.render())  # now: the test may change the values before it ends

    construction.set_observer(observe)
    try:
        yield
    finally:
        construction.set_observer(None)
    if failing:
        pytest.fail("\n\n".join(failing), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _watch_phase(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _watch_phase(item):
        return (yield)


# -- the param_init fixture ------------------------------------------------------------------------


class ParamInit:
    """Build modules under the checker inside a test; a finding fails the test with the report."""

    def __init__(self, config: pytest.Config, nodeid: str, allow) -> None:
        self._config, self._nodeid, self._allow = config, nodeid, allow

    def __call__(self, factory, *args, **kwargs):
        """Build ``factory(*args, **kwargs)`` under watch; return the module when it is clean."""
        from .checker import build_and_check

        module, report = build_and_check(factory, *args, allow=self._allow, **kwargs)
        return self._verdict(module, report)

    def check(self, module, example_input=None):
        """Check an existing module (values only: it was not built under watch)."""
        from .checker import check_module

        return self._verdict(module, check_module(module, allow=self._allow, example_input=example_input))

    def deferred(self, factory, *args, **kwargs):
        """Build on meta, ``to_empty()``, ``reset_parameters()`` every submodule, then check."""
        from .deferred import build_deferred_and_check

        module, report = build_deferred_and_check(factory, *args, allow=self._allow, **kwargs)
        return self._verdict(module, report)

    def allowing(self, allow: dict) -> ParamInit:
        """The same fixture with more allowed checks: ``param_init.allowing({"*.lora_B": "constant"})``."""
        return ParamInit(self._config, self._nodeid, _allow_list(self._config, None, allow) + self._allow)

    def _verdict(self, module, report):
        self._config.stash[_RECORDER].add(report, self._nodeid)
        if report.failed:
            pytest.fail(report.render(), pytrace=False)
        return module


@pytest.fixture
def param_init(request: pytest.FixtureRequest) -> ParamInit:
    """``param_init(MyModel, *args, **kwargs)``, ``param_init.check(module)``, ``param_init.deferred(MyModel)``."""
    return ParamInit(request.config, request.node.nodeid, _allow_list(request.config, request.node))


# -- param_init_targets ------------------------------------------------------------------------------


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
        from .checker import describe_error, check_module

        try:
            with watch() as tracker:
                module = self.config.hook.pytest_paraminit_build(cls=self.target, config=self.config)
                if module is None:
                    module = self.target()
        except Exception as error:  # a class without a default build is skipped, not failed
            pytest.skip(f"cannot build {self.target.__qualname__}: {describe_error(error)}")
        report = check_module(module, tracker=tracker, allow=_allow_list(self.config, self),
                              title=f"{self.target.__module__}.{self.target.__qualname__}")
        self.config.stash[_RECORDER].add(report, self.nodeid)
        if report.failed:
            raise TargetFailure(report.render())

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, TargetFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self.name


class TargetFailure(Exception):
    """A target class has findings (or could not be imported); the message is the report."""


def _target_classes(path: str) -> list[type]:
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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    targets = list(config.getini("param_init_targets")) + list(config.getoption("param_init_target"))
    for path in dict.fromkeys(targets):
        try:
            classes = _target_classes(path)
        except (ImportError, AttributeError) as error:
            items.append(TargetItem.from_parent(session, name=f"paraminit[{path}]",
                                                import_error=f"cannot import {path}: {error}"))
            continue
        for cls in classes:
            items.append(TargetItem.from_parent(session, name=f"paraminit[{cls.__module__}.{cls.__qualname__}]",
                                                target=cls))
