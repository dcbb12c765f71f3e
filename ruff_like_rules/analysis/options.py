"""The project's additions to the vocabulary (``initializer-methods``, ``init-functions``) and
where its first-party imports live (``src``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ruff_like_rules.vocabulary.torch_api import DEFAULT_INITIALIZER_METHODS


@dataclass(frozen=True)
class AnalysisOptions:
    initializer_methods: frozenset[str] = DEFAULT_INITIALIZER_METHODS  # methods that initialize their module
    init_functions: frozenset[str] = field(default_factory=frozenset)  # functions that initialize their argument
    src: tuple[str, ...] = ()  # directories the project index resolves imports under
