"""Intentional exceptions: which checks are allowed for which parameter-name globs."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable, Mapping

from .findings import CHECKS

ANY = "*"


@dataclass(frozen=True)
class AllowList:
    """Pairs of (name glob, check ids); ``*`` as check id allows every check."""

    rules: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str | Iterable[str]] | None) -> AllowList:
        """``{"*.lora_B": "constant", "blocks.*.gate": ["constant", "scale"]}``"""
        rules = []
        for glob, checks in (mapping or {}).items():
            ids = frozenset([checks] if isinstance(checks, str) else checks)
            unknown = ids - set(CHECKS) - {ANY}
            if unknown:
                raise ValueError(f"unknown check id(s) {sorted(unknown)} for {glob!r}; known: {', '.join(CHECKS)}")
            rules.append((glob, ids))
        return cls(tuple(rules))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> AllowList:
        """ini form, one rule a line: ``*.lora_B: constant, duplicate-units``."""
        mapping: dict[str, list[str]] = {}
        for line in lines:
            if not line.strip():
                continue
            glob, sep, checks = line.partition(":")
            if not sep:
                raise ValueError(f"param_init_allow line {line!r} must look like 'glob: check-id, check-id'")
            mapping.setdefault(glob.strip(), []).extend(c.strip() for c in checks.split(",") if c.strip())
        return cls.from_mapping(mapping)

    def __add__(self, other: AllowList) -> AllowList:
        return AllowList(self.rules + other.rules)

    def allows(self, check: str, name: str) -> bool:
        return any((check in ids or ANY in ids) and fnmatchcase(name, glob) for glob, ids in self.rules)
