"""What one analysis runs with: the rules, as classes, and the options that extend the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from ruff_like_rules.engine.prefilter import Selection, selection_for
from ruff_like_rules.engine.rule import Rule

DEFAULT_INITIALIZER_METHODS = frozenset(
    {
        "reset_parameters",
        "_reset_parameters",
        "reset_params",
        "_reset_params",
        "init_weights",
        "_init_weights",
        "init_parameters",
        "_init_parameters",
        "init_params",
        "_init_params",
        "initialize_weights",
        "_initialize_weights",
        "initialize_parameters",
        "_initialize_parameters",
        "weight_init",
        "_weight_init",
    }
)


@dataclass(frozen=True)
class AnalysisSettings:
    rules: tuple[type[Rule], ...]
    initializer_methods: frozenset[str] = DEFAULT_INITIALIZER_METHODS
    init_functions: frozenset[str] = field(default_factory=frozenset)
    # False: no speed-ups, every file parsed whole. The findings must not change; tests
    # and the benchmark compare both ways.
    prefilter: bool = True

    def selection(self) -> Selection | None:
        return selection_for(self.rules)
