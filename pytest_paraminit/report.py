"""A module's report: what was found, and how it shows (the per-parameter table, the findings, JSON).

The checker fills it in; nothing here judges a parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from .findings import Finding, Note
from .roles import Role
from .stats import TensorStats, histogram
from .tensors import is_lazy
from .unregistered import PlainTensor


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
    notes: list[Note] = field(default_factory=list)  # what looks odd but is usually intended

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape) if not is_lazy(self.tensor) and not self.tensor.is_nested else ()

    @property
    def verdict(self) -> str:
        failing = [f.check for f in self.findings if not f.allowed]
        if failing:
            return ", ".join(failing)
        if self.findings:
            return "ok (allowed: " + ", ".join(f.check for f in self.findings) + ")"
        if self.notes:
            return "ok (note: " + ", ".join(n.kind for n in self.notes) + ")"
        return f"skipped: {self.skipped}" if self.skipped else "ok"

    def histogram(self) -> list[int]:
        if self.stats is None or self.stats.finite == 0:
            return []
        if getattr(self.stats, "counts", None):  # counted over every rank's shard (distributed.GroupStats)
            return self.stats.counts
        return histogram(self.tensor, self.stats.min, self.stats.max, written=getattr(self.stats, "written", None))


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
    def notes(self) -> list[Note]:
        return [note for record in self.parameters for note in record.notes]

    @property
    def failed(self) -> bool:
        return bool(self.failures) or self.error is not None

    def render(self, color: bool = False) -> str:
        return render_table(self, color=color)

    def to_json(self) -> dict[str, Any]:
        return report_json(self)


_BARS = " ▁▂▃▄▅▆▇█"
_COLUMNS = ("parameter", "shape", "dtype", "mean", "std", "expected", "min", "max", "histogram", "verdict")


def sparkline(counts: list[int]) -> str:
    """Counts as unicode bars scaled to the largest bin; a non-empty bin shows at least ▁."""
    if not counts or not any(counts):
        return "∅"
    top = max(counts)
    return "".join(_BARS[0] if c == 0 else _BARS[max(1, round(c / top * 8))] for c in counts)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _row(record: ParameterRecord) -> tuple[str, ...]:
    stats = record.stats
    shape = "×".join(map(str, record.shape)) if record.shape else "?"
    dtype = str(record.tensor.dtype).removeprefix("torch.")
    if stats is None:
        return (record.name, shape, dtype, "-", "-", record.expected, "-", "-", "", record.verdict)
    return (record.name, shape, dtype, _num(stats.mean), _num(stats.std), record.expected,
            _num(stats.min), _num(stats.max), sparkline(record.histogram()), record.verdict)


def render_table(report: ModuleReport, color: bool = False) -> str:
    """The report a person reads at a glance: a table of parameters, then each finding with its fix."""
    lines = [f"paraminit: {report.title}"]
    if report.error:
        lines.append(f"  {report.error}")
        return "\n".join(lines)
    if not report.parameters:
        lines.append("  no parameters")
    rows = [_COLUMNS] + [_row(record) for record in report.parameters] if report.parameters else []
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))] if rows else []
    for index, row in enumerate(rows):
        text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
        if color and index and row[-1] not in ("ok",) and not row[-1].startswith(("ok ", "skipped")):
            text = f"\x1b[31m{text}\x1b[0m"
        lines.append("  " + text)
        if index == 0:
            lines.append("  " + "  ".join("─" * width for width in widths))
    failures = report.failures
    if failures:
        lines.append("")
        lines.append(f"  {len(failures)} finding{'s' if len(failures) != 1 else ''}:")
    for finding in failures:
        lines.append(f"  [{finding.check}] {finding.name}: {finding.measured} (expected {finding.expected})")
        lines.append(f"      {finding.why}")
        if finding.site:
            lines.append(f"      created at {finding.site}" if ":" in finding.site and " " not in finding.site
                         else f"      {finding.site}")
        lines.append(f"      fix: {finding.fix}")
        if finding.allow_hint:
            lines.append(f"      {finding.allow_hint}")
    lines.extend(_note_lines(report.notes))
    for note in report.plain_tensors:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


SHOWN_NAMES = 3  # parameter names listed per kind of note; the JSON has them all


def _note_lines(notes: list[Note]) -> list[str]:
    """One line per kind of note: what it means, and the parameters it applies to."""
    kinds: dict[str, list[Note]] = {}
    for note in notes:
        kinds.setdefault(note.kind, []).append(note)
    lines = []
    for kind, group in kinds.items():
        names = ", ".join(note.name for note in group[:SHOWN_NAMES])
        more = f" and {len(group) - SHOWN_NAMES} more" if len(group) > SHOWN_NAMES else ""
        detail = f" ({group[0].detail})" if len(group) == 1 and group[0].detail else ""
        lines.append(f"  note: {kind}: {names}{more}{detail}: {group[0].why}")
    return lines


SCHEMA = "report.schema.json"  # the JSON Schema of ``--param-init-report``, shipped beside this module


def _stats_json(stats: TensorStats) -> dict[str, Any]:
    """Mean, std, min and max over the finite elements; ``null`` (and why) where there is none, never NaN.

    JSON has no NaN or Infinity, and the parameters with no finite value are exactly the uninitialized ones.
    """
    values = {"mean": stats.mean, "std": stats.std, "min": stats.min, "max": stats.max}
    missing = [key for key, value in values.items() if not math.isfinite(value)]
    data: dict[str, Any] = {key: None if key in missing else value for key, value in values.items()}
    data["nonfinite"] = stats.nonfinite
    if missing:
        data["null_reason"] = ("no elements" if stats.numel == 0
                               else f"no finite element: {stats.nonfinite} of {stats.numel} are NaN or ±Inf"
                               if stats.finite == 0 else f"{', '.join(missing)} overflowed float64")
    return data


def report_json(report: ModuleReport) -> dict[str, Any]:
    """A module's report as JSON-ready data (no tensors)."""
    return {
        "module": report.title,
        "error": report.error,
        "seconds": report.seconds,
        "parameters": [
            {
                "name": r.name, "shape": list(r.shape), "dtype": str(r.tensor.dtype).removeprefix("torch."),
                "role": r.role.kind, "fan_in": r.role.fan_in, "expected": r.expected, "verdict": r.verdict,
                **(_stats_json(r.stats) if r.stats else {"skipped": r.skipped}),
            }
            for r in report.parameters
        ],
        "findings": [
            {"check": f.check, "name": f.name, "measured": f.measured, "expected": f.expected,
             "site": f.site, "allowed": f.allowed, "why": f.why, "fix": f.fix}
            for f in report.findings
        ],
        "notes": [str(note) for note in (*report.notes, *report.plain_tensors)],
    }
