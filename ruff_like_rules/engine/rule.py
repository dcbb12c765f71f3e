"""The shape every rule has, modelled on Fixit and Ruff.

A rule is a small class: a stable code, a kebab-case name, a Ruff-style doc (its class
docstring), a cheap text ``trigger`` that decides whether a file can concern it at all,
and ``VALID``/``INVALID`` snippets that are its own tests.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.diagnostics import Applicability, Finding


class FixAvailability(str, enum.Enum):
    """Whether a rule's findings come with a fix, as Ruff says it."""

    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True)
class Invalid:
    """A snippet the rule must flag, and exactly how.

    ``findings`` are the rule's findings in order, each as (line, column, message) where it
    starts, the column 1-based as ``paraminit check`` prints it. ``fixed`` is the source after
    applying the rule's fixes of ``applicability`` or safer (None: no such fix is offered).
    """

    source: str
    findings: tuple[tuple[int, int, str], ...]
    fixed: str | None = None
    applicability: Applicability = Applicability.SAFE


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    preview: ClassVar[bool] = False
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    trigger: ClassVar[re.Pattern[str]]
    # A block (top-level def/class, or a method) concerns the rule only where ``trigger``
    # and, if set, ``trigger_with`` both occur in it.
    trigger_with: ClassVar[re.Pattern[str] | None] = None
    # True for rules that read how a method *uses* a storage (not only what writes it),
    # so the prefilter must keep methods that merely mention one.
    reads_usage: ClassVar[bool] = False
    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def url(cls) -> str:
        return f"https://github.com/paraminit/paraminit/blob/main/docs/rules.md#{cls.code.lower()}-{cls.name}"
