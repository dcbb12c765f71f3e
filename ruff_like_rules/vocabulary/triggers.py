"""The text patterns matched before anything is parsed, built from the vocabulary's name sets.

The prefilter keeps only the blocks these patterns find, and rules name them as their
``trigger``: a name added to a set in ``torch_api`` reaches the fast path here in the same
edit. The full parse is the truth; a pattern may find more than the analysis then counts,
never less. Names are matched where they end a longer word too (``FloatTensor(`` is found by
``Tensor(``), so a name that ends with another of its set adds nothing and is left out; the rest
are factored by common prefix (``empty(?:_like|_strided)?``): Python's regex engine tries every
alternative at every position it could start, and a flat list of similar names costs more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar, Protocol

from ruff_like_rules.vocabulary.torch_api import (
    BUFFER_CLASSES,
    EMPTY_FACTORIES,
    EMPTY_METHODS,
    INIT_FUNCTION_NAMES,
    INITIALIZER_METHOD_WORDS,
    INITIALIZER_WORDS,
    LEGACY_METHODS,
    LEGACY_TENSOR_DTYPES,
    MODULE_ITERATORS,
    PARAMETER_CLASSES,
    PARAMETER_ITERATORS,
    PARAMETER_MODULE,
    STATE_DICT,
    WRAPPING_METHODS,
    WRITER_METHODS,
)

_CALL = r"\s*\("


class Triggered(Protocol):
    """Something that concerns only text its ``trigger`` (and ``trigger_with``, if set) occur in: a rule."""

    trigger: ClassVar[re.Pattern[str]]
    trigger_with: ClassVar[re.Pattern[str] | None]


def _short(qualified: Iterable[str]) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name in qualified}


def _trie(words: Iterable[str]) -> dict:
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return root


def _factored(node: dict) -> str:
    branches = [re.escape(char) + _factored(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    optional = "" in node
    if len(branches) == 1 and not optional:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")


def alternatives(words: Iterable[str]) -> list[str]:
    """The words as regex alternatives, one per first character, shared prefixes factored;
    a word that ends with another of the words is left to that one."""
    unique = set(words)
    kept = [word for word in unique if not any(word != other and word.endswith(other) for other in unique)]
    return [re.escape(char) + _factored(child) for char, child in sorted(_trie(kept).items())]


def words(names: Iterable[str]) -> str:
    """Any of ``names``, as a flat alternation (the prefilter splits it on its top-level ``|``)."""
    return "|".join(alternatives(names))


def calls(names: Iterable[str], method: bool = False) -> str:
    """A call of any of ``names`` (``x.name(`` only, with ``method``)."""
    dot = r"\." if method else ""
    return "|".join(f"{dot}{alternative}{_CALL}" for alternative in alternatives(names))


# ---------------------------------------------------------------------------- storages

# Factories of uninitialized memory: legacy constructors (``torch.FloatTensor(2, 2)``,
# ``x.new(3)``), ``torch.empty`` and friends, ``x.new_empty``.
RAW_MEMORY = re.compile(
    calls({*LEGACY_TENSOR_DTYPES, *_short(EMPTY_FACTORIES), *EMPTY_METHODS}) + "|" + calls(LEGACY_METHODS, method=True)
)
# What makes a tensor a parameter or buffer; rules about storages need it near their factory.
# ``Parameter`` counts without a bracket: ``from torch.nn import Parameter as P`` names it once.
WRAPS = re.compile(words({*_short(PARAMETER_CLASSES), *WRAPPING_METHODS}) + "|" + calls(_short(BUFFER_CLASSES)))
# ``Parameter as P``, ``parameter as tparam``: a file whose wraps the text cannot see.
RENAMED_WRAP = re.compile(
    r"\b(?:" + words({*_short(PARAMETER_CLASSES | BUFFER_CLASSES), *_short([PARAMETER_MODULE])}) + r")\s+as\s+\w"
)
# Where a block binds a storage to a key: ``self.w = ...``, ``self.register_buffer("w", ...)``.
ASSIGNED_KEY = re.compile(r"self\.(\w+)\s*(?::[^=\n]*)?=(?!=)|(?:" + words(WRAPPING_METHODS) + r")\(\s*['\"](\w+)")

# ---------------------------------------------------------------------------- writes

# An in-place call (``w.normal_(``, ``init.zeros_(``): every writer method and most init
# functions end with ``_``; the ones that do not are spelled out below.
_IN_PLACE = r"[a-z0-9]_" + _CALL
# A call of something named like an initializer (glorot(w), init_method(w), load_state_dict);
# ``__init__(`` is not one.
_INITIALIZER_CALL = (
    "(?:" + "|".join("(?<!__)init" if word == "init" else re.escape(word) for word in INITIALIZER_WORDS) + r")\w*" + _CALL
)
_COVERED = re.compile(_IN_PLACE + "|" + _INITIALIZER_CALL)
_OTHER_WRITERS = {name for name in WRITER_METHODS | INIT_FUNCTION_NAMES if not _COVERED.search(f"{name}(")}
_NAMED_WRITES = "|".join(filter(None, [_IN_PLACE, calls(_OTHER_WRITERS) if _OTHER_WRITERS else "", _INITIALIZER_CALL]))
# Tensor writes: in-place calls, ``.data``, the ``init`` module (``init.zeros_``, ``nn.init.``).
TENSOR_WRITES = re.compile(_NAMED_WRITES + r"|\.data\b|\binit\w*\.")
# Any write: tensor writes, ``out=``, item or attribute assignment (rebinding counts), setattr.
WRITES = re.compile(
    TENSOR_WRITES.pattern + r"|\bout\s*=|\[[^\]\n]*\]\s*=[^=]|\.\w+\s*(?::[^=\n]*)?=[^=]|setattr\("
    + r"|(?:" + words(WRAPPING_METHODS) + r")\("  # registering anew replaces the values
)
# What reaches every parameter of an object: its iterators, its state dict, ``apply``, getattr.
GENERIC_WRITE = re.compile(
    calls(PARAMETER_ITERATORS | MODULE_ITERATORS | {STATE_DICT}) + r"|(?:get|set)attr\(\s*self\s*,|\.apply\("
    + r"|(?:" + words(WRAPPING_METHODS) + r")\(\s*(?![\s'\"])"  # register_buffer(name, value): any key
)

# ---------------------------------------------------------------------------- initializer methods

# A method named like an initializer (``reset_parameters``, ``_init_weights``).
INITIALIZER_NAME = re.compile(words(INITIALIZER_METHOD_WORDS), re.I)
# An initializer called on an instance (``model.init_weights()``), not on ``self``.
INSTANCE_INITIALIZER_CALL = re.compile(
    r"(?<!self)\.(?!__init__)\w*(?:" + words(INITIALIZER_METHOD_WORDS) + r")\w*" + _CALL, re.I
)
