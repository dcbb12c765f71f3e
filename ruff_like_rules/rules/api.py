"""The rules API: everything a rule may use, and the only module a rule imports.

A rule is a ``Rule`` subclass with a code, a name, a Ruff-style doc, a ``trigger`` (a
pattern from the vocabulary, or its own) and ``VALID``/``INVALID`` examples; ``check`` reads a
``FileContext`` and yields ``Finding``s made with ``ctx.finding``. What the context offers:

* ``ctx.names`` — alias-proof torch names; ``ctx.code(node)``, ``ctx.span(node)``;
* ``ctx.index`` — the classes and functions of the file and what each does (cheap);
* ``ctx.storages`` — the tensors that become parameters or buffers, unjudged;
* ``ctx.flow`` — the same storages with their ``Verdict`` (the initialization flow);
* ``ctx.registration`` — module classes and what their construction binds to ``self``.

Fixes are ``ctx.replacement(node, new_node, message, applicability)`` or one of the
synthesizers below. Everything else of the package is the engine's business.
"""

from __future__ import annotations

from ruff_like_rules.analysis.deferred import LeftBehind, left_behind
from ruff_like_rules.analysis.index import ClassInfo, Function
from ruff_like_rules.analysis.meta_builds import reached_on_meta
from ruff_like_rules.analysis.registration import Facts, Registration, enables_grad
from ruff_like_rules.analysis.shapes import SizeForm, size_form
from ruff_like_rules.analysis.storages import Storage, source_of
from ruff_like_rules.analysis.usage import is_torch_module, weight_matrices
from ruff_like_rules.analysis.verdicts import Kind, Verdict
from ruff_like_rules.analysis.writes import is_init_function
from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.engine.diagnostics import Applicability, Finding, Fix
from ruff_like_rules.engine.rule import FixAvailability, Invalid, Rule
from ruff_like_rules.fix.add_initialization import initializer_call, missing_initialization, statements_at_end
from ruff_like_rules.fix.legacy_constructors import as_empty, as_tensor
from ruff_like_rules.syntax.nodes import dotted_parts, keyword_is_true, method_name, self_attribute
from ruff_like_rules.syntax.walk import Walker, children
from ruff_like_rules.vocabulary.torch_api import (
    DTYPE_CASTS,
    METADATA_ATTRIBUTES,
    MODULE_METHODS,
    PARAMETER,
    PASSTHROUGH_METHODS,
    READING_METHODS,
    RECEIVING_COLLECTIVES,
    WRITER_METHODS,
)
from ruff_like_rules.vocabulary.torch_names import TorchNames, is_torch_module_class, legacy_constructor_dtype
from ruff_like_rules.vocabulary.triggers import RAW_MEMORY, WRAPS

__all__ = [
    "DTYPE_CASTS",
    "METADATA_ATTRIBUTES",
    "MODULE_METHODS",
    "PARAMETER",
    "PASSTHROUGH_METHODS",
    "RAW_MEMORY",
    "READING_METHODS",
    "RECEIVING_COLLECTIVES",
    "WRAPS",
    "WRITER_METHODS",
    "Applicability",
    "ClassInfo",
    "Facts",
    "FileContext",
    "Finding",
    "Fix",
    "FixAvailability",
    "Function",
    "Invalid",
    "Kind",
    "Registration",
    "Rule",
    "SizeForm",
    "Storage",
    "TorchNames",
    "Verdict",
    "Walker",
    "as_empty",
    "as_tensor",
    "children",
    "dotted_parts",
    "enables_grad",
    "initializer_call",
    "is_init_function",
    "is_torch_module",
    "is_torch_module_class",
    "keyword_is_true",
    "legacy_constructor_dtype",
    "method_name",
    "missing_initialization",
    "self_attribute",
    "size_form",
    "source_of",
    "weight_matrices",
    "LeftBehind",
    "left_behind",
    "statements_at_end",
    "reached_on_meta",
]
