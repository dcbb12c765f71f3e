"""Check a module's parameters and state; build a module under watch and check it.

Plain Python, usable without pytest::

    from pytest_paraminit import build_and_check
    model, report = build_and_check(MyModel, 512, depth=4)
    assert not report.failed, report.render()
"""

from __future__ import annotations

import time
import traceback
from typing import Any, Callable, Container

from torch import nn

from .allow import AllowList
from .capture import WriteTracker, watch
from .checks import PARAMETER_CHECKS, Subject, expected_scale, unwritten_finding
from .findings import Finding, Note
from .observe import observe_forward
from .report import ModuleReport, ParameterRecord
from .roles import infer_roles
from .batched import batched_stats
from .symmetry import Neighbours
from .threads import one_thread
from .distributed import GroupCheck, first_failure, in_job
from .tensors import is_lazy, local, skip_reason
from .unregistered import find_unregistered


def check_module(
    module: nn.Module,
    *,
    tracker: WriteTracker | None = None,
    allow: AllowList = AllowList(),
    example_input: Any = None,
    title: str | None = None,
    already_checked: Container[nn.Module] = (),
    buffers: bool = True,
) -> ModuleReport:
    """Check every registered parameter and buffer, and the tree's unregistered state.

    ``tracker`` (from :func:`capture.watch`) knows which elements construction never wrote and which
    initializer calls wrote the rest; without it only values are judged.  ``example_input`` lets a
    forward pass reveal raw parameters' roles.  Parameters and buffers of submodules in
    ``already_checked`` are left out: a container built from modules that were checked when they were
    built (``nn.Sequential(nn.Linear(...), ...)``) adds nothing new.  Buffers are only checked for
    never-written elements (a mask may hold -inf, a counter any value); ``buffers=False`` leaves them out.
    """
    start = time.perf_counter()
    report = ModuleReport(title or type(module).__qualname__)
    roles = infer_roles(module, observe_forward(module, example_input) if example_input is not None else None)
    done = {id(t) for m in module.modules() if m in already_checked
            for t in (*m.parameters(recurse=False), *m.buffers(recurse=False))} if already_checked else set()
    named = [(name, param) for name, param in module.named_parameters() if id(param) not in done]
    skipped = [skip_reason(param) for _, param in named]
    neighbours = Neighbours(module)
    with one_thread():  # the checker's own ops (threads.py)
        group = None
        if in_job(param for _, param in named):  # shards and replicas: statistics over the ranks (distributed.py)
            group = GroupCheck(module, [pair for pair, reason in zip(named, skipped) if not reason], tracker)
            statistics = iter([group.stats(name) for (name, _), reason in zip(named, skipped) if not reason])
        else:
            judged = [(param, roles[name].unit_dim) for (name, param), reason in zip(named, skipped) if not reason]
            lazy = tracker.unfilled if tracker is not None and tracker.any_unfilled else None
            statistics = iter(batched_stats(judged, lazy))
        for (name, param), reason in zip(named, skipped):
            stats = None if reason else next(statistics)
            report.parameters.append(
                _check_parameter(name, param, roles[name], tracker, allow, neighbours, reason, stats, group))
    findings, report.plain_tensors = find_unregistered(module)
    if buffers and tracker is not None:
        findings = _buffer_findings(module, tracker, done) + findings
    findings = [finding for finding in findings if not allow.ignores(finding.check)]
    for finding in findings:
        finding.allowed = allow.allows(finding.check, finding.name)
    report.state_findings = findings
    report.seconds = time.perf_counter() - start
    return report


def _check_parameter(name, param, role, tracker, allow, neighbours, skipped, stats, group) -> ParameterRecord:
    judged = not is_lazy(param) and not param.is_nested
    if group is not None and not skipped:
        unwritten, site = group.unwritten(name)
    else:
        unwritten, site = tracker.unwritten(local(param)) if tracker is not None and judged else (0, None)
    if skipped:
        findings = [unwritten_finding(name, unwritten, param.numel(), site)] if unwritten else []
        record = ParameterRecord(name, param, role, None, "-", findings, skipped)
    else:
        writes = tracker.writes(local(param)) if tracker is not None else ()
        subject = Subject(name, param, role, stats, unwritten, site, writes, neighbours)
        outcomes = [outcome for check in PARAMETER_CHECKS if (outcome := check(subject)) is not None]
        if group is not None:
            outcomes = group.findings(name, [o for o in outcomes if isinstance(o, Finding)]) + [
                o for o in outcomes if isinstance(o, Note)]
        record = ParameterRecord(name, param, role, stats, expected_scale(role),
                                 [o for o in outcomes if isinstance(o, Finding)],
                                 notes=[o for o in outcomes if isinstance(o, Note)])
    record.findings = [finding for finding in record.findings if not allow.ignores(finding.check)]
    for finding in record.findings:
        finding.allowed = allow.allows(finding.check, name)
    return record


def _buffer_findings(module: nn.Module, tracker: WriteTracker, done: set[int]) -> list[Finding]:
    """``uninitialized`` for buffers construction never wrote (persistent or not)."""
    found = []
    for name, buffer in module.named_buffers():
        if id(buffer) in done or is_lazy(buffer) or buffer.is_nested:
            continue
        unwritten, site = tracker.unwritten(buffer)
        if unwritten:
            finding = unwritten_finding(name, unwritten, buffer.numel(), site, " (buffer)")
            finding.hint = (f"compute it before register_buffer({name.rpartition('.')[2]!r}, ...): torch.zeros/arange, "
                            "or fill it with copy_/fill_")
            found.append(finding)
    return found


def describe_error(error: BaseException) -> str:
    """An exception as its one-line summary (``ValueError: bad width``), as reports and skip reasons show it."""
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def build_and_check(
    factory: Callable[..., nn.Module],
    *args: Any,
    allow: AllowList = AllowList(),
    example_input: Any = None,
    **kwargs: Any,
) -> tuple[nn.Module | None, ModuleReport]:
    """Build ``factory(*args, **kwargs)`` under watch and check it.

    A constructor that raises gives ``(None, report)`` with ``report.error`` set, not an exception.
    """
    title = getattr(factory, "__qualname__", repr(factory))
    failed = None
    try:
        with watch() as tracker:
            module = factory(*args, **kwargs)
    except Exception as error:  # the report says what the constructor raised
        failed = f"constructor raised {describe_error(error)}"
    if in_job(()):  # one rank's failure is every rank's: the others would wait for it in the check
        failed = first_failure(failed)
    if failed is not None:
        return None, ModuleReport(title, error=failed)
    return module, check_module(module, tracker=tracker, allow=allow, example_input=example_input, title=title)
