"""What a storage's memory starts as, and what the analysis concludes about it."""

from __future__ import annotations

import enum


class Kind(enum.Enum):
    """The values a factory gives its storage."""

    UNINITIALIZED = "uninitialized"  # torch.empty, torch.Tensor(3, 4): whatever the memory held
    RANDOM_NORMAL = "random-normal"
    RANDOM_UNIFORM = "random-uniform"
    CONSTANT = "constant"


class Verdict(enum.Enum):
    """Whether some write gives a storage values before it is used."""

    INITIALIZED = "initialized"
    LOAD_ONLY = "load-only"  # a frozen or quantized container that only a checkpoint fills
    ELSEWHERE = "maybe-elsewhere"  # its class's base lives in a sibling module that may initialize it
    METADATA_ONLY = "metadata-only"  # a buffer whose values nothing reads: it carries a dtype and device
    INITIALIZER_NOT_CALLED = "initializer-not-called"
    UNINITIALIZED = "uninitialized"


# Across several call sites of a factory, the worst outcome is the verdict.
SEVERITY = {Verdict.UNINITIALIZED: 0, Verdict.INITIALIZER_NOT_CALLED: 1, Verdict.INITIALIZED: 2}
