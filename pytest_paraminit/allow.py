"""Intentional exceptions: which checks are allowed for which parameter-name globs.

A glob is matched against the parameter's dotted path with :func:`fnmatch.fnmatchcase` (``*`` also
crosses dots); a glob that starts with ``*.`` matches at the root too, so ``*.lora_B`` allows
``lora_B`` of the built module itself as well as ``blocks.0.lora_B``.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from fnmatch import fnmatchcase
from typing import Iterable, Mapping

from .findings import CHECKS

ANY = "*"
ANY_DEPTH = "*."


@dataclass(frozen=True)
class AllowRule:
    """One glob and its allowed check ids, with where it was written (for the unused-rule warning)."""

    glob: str
    checks: frozenset[str]
    origin: str = ""  # "param_init_allow", "@pytest.mark.param_init", "param_init.allowing"

    def matches(self, check: str, name: str) -> bool:
        if not (check in self.checks or ANY in self.checks):
            return False
        return fnmatchcase(name, self.glob) or (
            self.glob.startswith(ANY_DEPTH) and fnmatchcase(name, self.glob[len(ANY_DEPTH):]))

    def __str__(self) -> str:
        rule = f"{self.glob}: {', '.join(sorted(self.checks))}"
        return f"{self.origin}: {rule}" if self.origin else rule


def _check_ids(ids: frozenset[str], where: str) -> None:
    unknown = sorted(ids - set(CHECKS) - {ANY})
    if unknown:
        guesses = [match for check in unknown for match in get_close_matches(check, CHECKS, n=1)]
        guess = f" (did you mean {', '.join(repr(str(g)) for g in guesses)}?)" if guesses else ""
        raise ValueError(f"unknown check id(s) {unknown} for {where}{guess}; known: {', '.join(CHECKS)}")


@dataclass(frozen=True)
class AllowList:
    """Allow rules; ``*`` as check id allows every check.  ``ignored`` check ids are not run at all
    (``param_init_ignore``): their findings are neither shown nor counted."""

    rules: tuple[AllowRule, ...] = ()
    ignored: frozenset[str] = frozenset()

    @classmethod
    def ignoring(cls, ids: Iterable[str], origin: str = "param_init_ignore") -> AllowList:
        """``param_init_ignore``: check ids, one a line or separated by commas."""
        ignored = frozenset(part.strip() for line in ids for part in line.split(",") if part.strip())
        _check_ids(ignored, origin)
        return cls(ignored=frozenset(CHECKS) if ANY in ignored else ignored)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str | Iterable[str]] | None, origin: str = "") -> AllowList:
        """``{"*.lora_B": "constant", "blocks.*.gate": ["constant", "scale"]}``"""
        if mapping is not None and not isinstance(mapping, Mapping):
            raise ValueError(f"allow= takes a mapping of parameter globs to check ids, not {type(mapping).__name__}")
        rules = []
        for glob, checks in (mapping or {}).items():
            ids = frozenset([checks] if isinstance(checks, str) else checks)
            _check_ids(ids, repr(glob))
            rules.append(AllowRule(glob, ids, origin))
        return cls(tuple(rules))

    @classmethod
    def from_lines(cls, lines: Iterable[str], origin: str = "param_init_allow") -> AllowList:
        """ini form, one rule a line: ``*.lora_B: constant, duplicate-units``."""
        mapping: dict[str, list[str]] = {}
        for line in lines:
            if not line.strip():
                continue
            glob, sep, checks = line.partition(":")
            if not sep:
                raise ValueError(f"param_init_allow line {line!r} must look like 'glob: check-id, check-id'")
            mapping.setdefault(glob.strip(), []).extend(c.strip() for c in checks.split(",") if c.strip())
        return cls.from_mapping(mapping, origin)

    def __add__(self, other: AllowList) -> AllowList:
        return AllowList(self.rules + other.rules, self.ignored | other.ignored)

    def ignores(self, check: str) -> bool:
        return check in self.ignored

    def matching(self, check: str, name: str) -> list[AllowRule]:
        return [rule for rule in self.rules if rule.matches(check, name)]

    def allows(self, check: str, name: str) -> bool:
        return any(rule.matches(check, name) for rule in self.rules)
