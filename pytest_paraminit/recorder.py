"""What one pytest run checked: counts for the terminal summary, records for ``--param-init-report``.

Plain Python: the plugin keeps one recorder per process and merges the pytest-xdist workers' into
the controller's through JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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

    def add(self, report, nodeid: str, allow=None) -> None:
        """Count one module's report (a :class:`report.ModuleReport`), checked in test ``nodeid`` with
        ``allow`` (an :class:`allow.AllowList`) in force."""
        self.modules += 1
        if allow is not None:
            self.allow_rules.update({str(rule): 0 for rule in allow.rules})
            self.allow_rules.update(str(rule) for f in report.findings if f.allowed
                                    for rule in allow.matching(f.check, f.name))
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
                "failed_tests": sorted(self.failed_tests), "allow_rules": dict(self.allow_rules),
                "reports": self.records}

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

    def summary(self) -> list[str]:
        """The terminal summary's lines: what was checked, what was found where, and the time it took."""
        found = sum(self.findings.values())
        by_check = ", ".join(f"{check}: {count}" for check, count in sorted(self.findings.items()))
        where = f" ({by_check}) in {_counted(len(self.failed_tests), 'test')}" if found else ""
        unused = [f"unused allow rule (it allowed no finding): {rule}"
                  for rule, count in self.allow_rules.items() if count == 0]
        return [
            f"checked {_counted(self.modules, 'module')}, {self.parameters} parameters: {_counted(found, 'finding')}"
            + where,
            f"time spent checking: {self.seconds:.2f} s",
            *unused,
        ]
