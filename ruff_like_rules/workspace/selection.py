"""Rule selectors (``select``, ``extend-select``, ``ignore``) and how their layers stack, like Ruff's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule

DEFAULT_SELECTOR = "PIN"


@dataclass(frozen=True)
class RuleSelection:
    """One layer of selectors (the settings file, then the command line), like Ruff's."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _specificity(selector: str) -> int:
    return -1 if selector == "ALL" else len(selector)


def selector_matches(selector: str, rule: type[Rule], preview: bool) -> bool:
    """A full code always selects its rule; a prefix reaches preview rules only in preview."""
    if selector == rule.code:
        return True
    if rule.preview and not preview:
        return False
    return selector == "ALL" or rule.code.startswith(selector)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for the closest of ``choices``, or nothing when none is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def check_selector(selector: str, catalogue: Sequence[type[Rule]]) -> str:
    code = selector.strip().upper()
    if code == "ALL" or any(rule.code.startswith(code) for rule in catalogue):
        return code
    raise ValueError(f"unknown rule selector `{selector}`{did_you_mean(code, [r.code for r in catalogue])}")


def select_rules(
    layers: Sequence[RuleSelection], catalogue: Sequence[type[Rule]], preview: bool
) -> tuple[type[Rule], ...]:
    """Apply each layer in turn; within a layer the more specific selector wins, and on a
    tie ``ignore`` beats ``select`` (Ruff's rule)."""
    enabled = {rule for rule in catalogue if selector_matches(DEFAULT_SELECTOR, rule, preview)}
    for layer in layers:
        if layer.select is not None:
            enabled = set()
        choices = [(s, True) for s in (*(layer.select or ()), *layer.extend_select)]
        choices += [(s, False) for s in layer.ignore]
        for selector, enable in sorted(choices, key=lambda c: (_specificity(c[0]), not c[1])):
            for rule in catalogue:
                if selector_matches(selector, rule, preview):
                    (enabled.add if enable else enabled.discard)(rule)
    return tuple(rule for rule in catalogue if rule in enabled)

