"""Check a module's parameters and state; build a module under watch and check it.

Plain Python, usable without pytest::

    from pytest_paraminit import build_and_check
    model, report = build_and_check(MyModel, 512, depth=4)
    assert not report.failed, report.render()
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Container

import torch
from torch import nn

from .allow import AllowList
from .capture import WriteTracker, watch
from .checks import PARAMETER_CHECKS, Finding, Subject, expected_scale
from .roles import Role, infer_roles
from .stats import TensorStats, histogram, reduction_threads, tensor_stats
from .unregistered import PlainTensor, find_unregistered


@dataclass
class ParameterRecord:
    """One row of the report."""

    name: str
    tensor: torch.Tensor
    role: Role
    stats: TensorStats | None
    expected: str
    findings: list[Finding]
    skipped: str | None = None  # why the values were not judged (lazy, meta, integer, ...)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape) if not _is_lazy(self.tensor) else ()

    @property
    def verdict(self) -> str:
        failing = [f.check for f in self.findings if not f.allowed]
        if failing:
            return ", ".join(failing)
        if self.findings:
            return "ok (allowed: " + ", ".join(f.check for f in self.findings) + ")"
        return f"skipped: {self.skipped}" if self.skipped else "ok"

    def histogram(self) -> list[int]:
        if self.stats is None or self.stats.finite == 0:
            return []
        return histogram(self.tensor, self.stats.min, self.stats.max)


@dataclass
class ModuleReport:
    """Everything found in one module: per-parameter rows, state findings, notes, or the constructor's error.

    Findings, mean and std are fixed when the check runs; min, max and histograms are read from the
    parameters when first shown (``render``, ``to_json``), so render before changing the values.
    """

    title: str
    parameters: list[ParameterRecord] = field(default_factory=list)
    state_findings: list[Finding] = field(default_factory=list)
    plain_tensors: list[PlainTensor] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0  # time the checks took (not the build)

    @property
    def findings(self) -> list[Finding]:
        return [f for record in self.parameters for f in record.findings] + self.state_findings

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.allowed]

    @property
    def failed(self) -> bool:
        return bool(self.failures) or self.error is not None

    def render(self, color: bool = False) -> str:
        from .report import render_table

        return render_table(self, color=color)

    def to_json(self) -> dict[str, Any]:
        from .report import report_json

        return report_json(self)


def _is_lazy(tensor: torch.Tensor) -> bool:
    return isinstance(tensor, nn.parameter.UninitializedTensorMixin)


def _skip_reason(tensor: torch.Tensor) -> str | None:
    if _is_lazy(tensor):
        return "lazy (shape unknown until the first forward call)"
    if tensor.device.type == "meta":
        return "meta tensor (no values; use the deferred check)"
    if tensor.is_quantized:
        return f"quantized dtype {tensor.dtype}"
    if tensor.layout != torch.strided:
        return f"{tensor.layout} layout"
    if tensor.is_complex():
        return f"complex dtype {tensor.dtype}"
    if not tensor.is_floating_point():
        return f"{tensor.dtype} dtype (integer/bool: values not judged)"
    return None


def check_module(
    module: nn.Module,
    *,
    tracker: WriteTracker | None = None,
    allow: AllowList = AllowList(),
    example_input: Any = None,
    title: str | None = None,
    already_checked: Container[nn.Module] = (),
) -> ModuleReport:
    """Check every registered parameter and the tree's unregistered state.

    ``tracker`` (from :func:`capture.watch`) knows which elements construction never wrote; without
    it only values are judged.  ``example_input`` lets a forward pass reveal raw parameters' roles.
    Parameters of submodules in ``already_checked`` are left out: a container built from modules
    that were checked when they were built (``nn.Sequential(nn.Linear(...), ...)``) adds nothing new.
    """
    start = time.perf_counter()
    report = ModuleReport(title or type(module).__qualname__)
    roles = infer_roles(module, example_input) if example_input is not None else infer_roles(module)
    done = {id(p) for m in module.modules() if m in already_checked for p in m.parameters(recurse=False)}
    named = [(name, param) for name, param in module.named_parameters() if id(param) not in done]
    total = sum(p.numel() for _, p in named if not _is_lazy(p))
    with reduction_threads(total):
        for name, param in named:
            report.parameters.append(_check_parameter(name, param, roles[name], tracker, allow))
    findings, report.plain_tensors = find_unregistered(module)
    for finding in findings:
        finding.allowed = allow.allows(finding.check, finding.name)
    report.state_findings = findings
    report.seconds = time.perf_counter() - start
    return report


def _check_parameter(name, param, role, tracker, allow) -> ParameterRecord:
    unwritten, site = tracker.unwritten(param) if tracker is not None and not _is_lazy(param) else (0, None)
    skipped = _skip_reason(param)
    if skipped:
        findings = []
        if unwritten:
            findings.append(Finding("uninitialized", name, f"{unwritten} of {param.numel()} elements never written",
                                    "0", site))
        record = ParameterRecord(name, param, role, None, "-", findings, skipped)
    else:
        subject = Subject(name, param, role, tensor_stats(param, role.unit_dim), unwritten, site)
        findings = [f for check in PARAMETER_CHECKS if (f := check(subject)) is not None]
        record = ParameterRecord(name, param, role, subject.stats, expected_scale(role), findings)
    for finding in record.findings:
        finding.allowed = allow.allows(finding.check, name)
    return record


def _describe_error(error: BaseException) -> str:
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
    try:
        with watch() as tracker:
            module = factory(*args, **kwargs)
    except Exception as error:  # the report says what the constructor raised
        return None, ModuleReport(title, error=f"constructor raised {_describe_error(error)}")
    return module, check_module(module, tracker=tracker, allow=allow, example_input=example_input, title=title)
