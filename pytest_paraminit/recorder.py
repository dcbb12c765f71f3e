"""What one pytest run checked: counts for the terminal summary, records for ``--param-init-report``.

Plain Python: the plugin keeps one recorder per process.  A pytest-xdist worker writes every change
to a spool file as it happens, and the controller merges each worker's file when the worker goes
down, also when it died (``os._exit``, a segfault): nothing recorded before the death is lost.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


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
    allow_rules: Counter = field(default_factory=Counter)  # each allow rule in force: the findings it allowed

    report_only: bool = False  # --param-init-mode=warn: findings fail no test; their reports go to the summary
    shown: list = field(default_factory=list)  # report-only mode: [node id, rendered reports] of each test
    lost_workers: list = field(default_factory=list)  # pytest-xdist workers that died, with why
    spool: TextIO | None = None  # a pytest-xdist worker: every change also goes here, one JSON line each

    def add(self, report, nodeid: str, allow=None) -> None:
        """Count one module's report (a :class:`report.ModuleReport`), checked in test ``nodeid`` with
        ``allow`` (an :class:`allow.AllowList`) in force."""
        rules = Counter({str(rule): 0 for rule in allow.rules} if allow is not None else {})
        if allow is not None:
            rules.update(str(rule) for f in report.findings if f.allowed for rule in allow.matching(f.check, f.name))
        self._change({"modules": 1, "parameters": len(report.parameters), "seconds": report.seconds,
                      "findings": dict(Counter(f.check for f in report.failures)),
                      "failed_tests": [nodeid] if report.failed else [], "allow_rules": dict(rules),
                      "reports": [{"test": nodeid, **report.to_json()}] if self.keep_records else []})

    def fail(self, nodeid: str) -> None:
        """Count test ``nodeid`` as failed by a finding reported before (a module a fixture handed it)."""
        self._change({"modules": 0, "parameters": 0, "seconds": 0.0, "findings": {}, "failed_tests": [nodeid],
                      "allow_rules": {}, "reports": []})

    def show(self, nodeid: str, reports: list[str]) -> None:
        """Report-only mode: keep the failing reports of test ``nodeid`` for the terminal summary."""
        self._change({"modules": 0, "parameters": 0, "seconds": 0.0, "findings": {}, "failed_tests": [],
                      "allow_rules": {}, "reports": [], "shown": [[nodeid, "\n\n".join(reports)]]})

    def _change(self, delta: dict) -> None:
        self.merge(delta)
        if self.spool is not None:  # written as it happens, so a worker that dies loses nothing recorded
            self.spool.write(json.dumps(delta, allow_nan=False) + "\n")
            self.spool.flush()

    def merge_spool(self, path: Path) -> None:
        """Add a pytest-xdist worker's spooled changes; a line cut short by its death is left out."""
        with contextlib.suppress(FileNotFoundError), path.open(encoding="utf-8") as lines:
            for line in lines:
                with contextlib.suppress(ValueError):
                    self.merge(json.loads(line))

    def to_json(self) -> dict:
        return {"modules": self.modules, "parameters": self.parameters, "seconds": self.seconds,
                "findings": dict(self.findings),
                "failed_tests": sorted(self.failed_tests), "report_only": self.report_only,
                "allow_rules": dict(self.allow_rules),
                "lost_workers": self.lost_workers, "reports": self.records}

    def merge(self, data: dict) -> None:
        """Add another recorder's :meth:`to_json` (a pytest-xdist worker's)."""
        self.modules += data["modules"]
        self.parameters += data["parameters"]
        self.seconds += data["seconds"]
        self.findings.update(data["findings"])
        self.failed_tests.update(data["failed_tests"])
        self.allow_rules.update({rule: 0 for rule in data["allow_rules"]})
        self.allow_rules.update(data["allow_rules"])
        self.records.extend(data["reports"])
        self.lost_workers.extend(data.get("lost_workers", ()))
        self.shown.extend(data.get("shown", ()))

    def summary(self) -> list[str]:
        """The terminal summary's lines: what was checked, what was found where, and the time it took."""
        found = sum(self.findings.values())
        by_check = ", ".join(f"{check}: {count}" for check, count in sorted(self.findings.items()))
        where = f" ({by_check}) in {_counted(len(self.failed_tests), 'test')}" if found else ""
        unused = [f"unused allow rule (it allowed no finding): {rule}"
                  for rule, count in self.allow_rules.items() if count == 0]
        lost = [f"lost worker {worker}: its results up to its death are counted above" for worker in self.lost_workers]
        shown = [line for nodeid, text in sorted(self.shown) for line in (f"findings in {nodeid}:", text, "")]
        if self.report_only and found:
            where += " (report only, --param-init-mode=warn: no test failed for them)"
        return [
            *shown,
            f"checked {_counted(self.modules, 'module')}, {self.parameters} parameters: {_counted(found, 'finding')}"
            + where,
            f"time spent checking: {self.seconds:.2f} s",
            *unused,
            *lost,
        ]
