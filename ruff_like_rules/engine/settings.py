"""What one analysis runs with: the rules, as classes, and the options that extend the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.engine.noqa import UNUSED_NOQA_CODE
from ruff_like_rules.engine.prefilter import Selection, selection_for
from ruff_like_rules.engine.rule import Rule
from ruff_like_rules.vocabulary.torch_api import DEFAULT_INITIALIZER_METHODS


@dataclass(frozen=True)
class AnalysisSettings:
    rules: tuple[type[Rule], ...]
    initializer_methods: frozenset[str] = DEFAULT_INITIALIZER_METHODS
    init_functions: frozenset[str] = field(default_factory=frozenset)
    # False: no speed-ups, every file parsed whole. The findings must not change; tests
    # and the benchmark compare both ways.
    prefilter: bool = True
    # False: every file alone, bases from other files opaque (the benchmark's baseline)
    project: bool = True
    # directories first-party imports resolve under (the ``src`` setting), besides the package root
    src: tuple[str, ...] = ()
    # codes whose fixes are withheld (``unfixable``, or not ``fixable``)
    unfixable: frozenset[str] = field(default_factory=frozenset)
    # ``--ignore-noqa``: report what ``# noqa`` comments would silence
    ignore_noqa: bool = False

    @property
    def options(self) -> AnalysisOptions:
        """What the analysis reads of these settings (it never sees the rules)."""
        return AnalysisOptions(self.initializer_methods, self.init_functions, self.src)

    def selection(self) -> Selection | None:
        """The prefilter of the rules that read code (PIN100 reads comments: it selects no block)."""
        return selection_for(tuple(rule for rule in self.rules if rule.code != UNUSED_NOQA_CODE))
