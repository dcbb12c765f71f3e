"""The prefilter's trigger patterns find every name of the vocabulary the analysis decides with.

The patterns are built from the name sets (``vocabulary/triggers.py``); these tests say what
that buys: a name added to a set is seen by the fast path too, so the fast path never drops code
the full parse would count. And the pattern builder itself: it must find exactly its words.
"""

from __future__ import annotations

import re

import pytest

from ruff_like_rules.vocabulary import triggers
from ruff_like_rules.vocabulary.torch_api import (
    BUFFER_CLASSES,
    DEFAULT_INITIALIZER_METHODS,
    EMPTY_FACTORIES,
    EMPTY_METHODS,
    INIT_FUNCTION_NAMES,
    INITIALIZER_WORDS,
    LEGACY_METHODS,
    LEGACY_TENSOR_DTYPES,
    MODULE_ITERATORS,
    PARAMETER_CLASSES,
    PARAMETER_ITERATORS,
    WRAPPING_METHODS,
    WRITER_METHODS,
)


def short(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


@pytest.mark.parametrize(
    "call",
    [f"torch.{name}(3, 4)" for name in LEGACY_TENSOR_DTYPES]
    + [f"torch.cuda.{name}(3, 4)" for name in LEGACY_TENSOR_DTYPES]
    + [f"torch.{short(name)}(3)" for name in sorted(EMPTY_FACTORIES)]
    + [f"x.{name}(3)" for name in sorted(EMPTY_METHODS | LEGACY_METHODS)],
)
def test_raw_memory_finds_every_factory_of_uninitialized_memory(call: str):
    assert triggers.RAW_MEMORY.search(call)


@pytest.mark.parametrize(
    "wrap",
    [f"nn.{short(name)}(w)" for name in sorted(PARAMETER_CLASSES | BUFFER_CLASSES)]
    + [f"self.{name}('w', w)" for name in sorted(WRAPPING_METHODS)],
)
def test_wraps_finds_every_wrap(wrap: str):
    assert triggers.WRAPS.search(wrap)


@pytest.mark.parametrize("name", sorted(WRITER_METHODS | INIT_FUNCTION_NAMES))
def test_every_writer_and_init_function_is_a_tensor_write(name: str):
    assert triggers.TENSOR_WRITES.search(f"w.{name}(1)") and triggers.WRITES.search(f"init.{name}(w)")


@pytest.mark.parametrize("word", INITIALIZER_WORDS)
def test_every_initializer_word_makes_a_helper_call_a_write(word: str):
    assert triggers.TENSOR_WRITES.search(f"my_{word}_helper(w)")


def test_a_call_of_init_is_not_an_initializer():
    assert not triggers.TENSOR_WRITES.search("super().__init__()")


@pytest.mark.parametrize("name", sorted(DEFAULT_INITIALIZER_METHODS))
def test_every_default_initializer_method_is_named_and_called_like_one(name: str):
    assert triggers.INITIALIZER_NAME.search(name)
    assert triggers.INSTANCE_INITIALIZER_CALL.search(f"model.{name}()")
    assert not triggers.INSTANCE_INITIALIZER_CALL.search(f"self.{name}()")


@pytest.mark.parametrize("name", sorted(PARAMETER_ITERATORS | MODULE_ITERATORS))
def test_every_iterator_writes_through_others(name: str):
    assert triggers.GENERIC_WRITE.search(f"for p in model.{name}():")


@pytest.mark.parametrize(
    ("words", "matching", "not_matching"),
    [
        (["empty", "empty_like", "empty_strided"], ["empty", "empty_like", "new_empty_strided"], ["emptyish", "mt"]),
        (["Tensor", "FloatTensor"], ["Tensor", "FloatTensor", "MyTensor"], ["Tenso", "tensor"]),
        (["a.b", "a+b"], ["a.b", "a+b"], ["axb"]),
    ],
)
def test_the_pattern_builder_finds_exactly_its_words(words, matching, not_matching):
    pattern = re.compile(triggers.words(words) + r"\Z")
    assert all(pattern.search(text) for text in matching)
    assert not any(pattern.search(text) for text in not_matching)
