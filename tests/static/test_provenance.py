"""Following locals to the factory they come from stays linear in the length of a chain.

A chain of locals each built from the two before it (``a2 = a1 * a0``, ``a3 = a2 + a1`` …, as
in a generated polynomial of spherical harmonics) reaches the first local along as many paths
as the Fibonacci numbers count; a walk that revisits a name per path never ends on 1,750 such
lines. The walk's own step counter gives the shape, with no timing.
"""

from __future__ import annotations

import libcst as cst

from ruff_like_rules.analysis.options import AnalysisOptions
from ruff_like_rules.analysis.verdicts import Verdict
from ruff_like_rules.engine.context import FileContext
from ruff_like_rules.syntax.parsed import ParsedChunk


def chained(length: int, factory: str = "torch.empty(n, n)") -> str:
    lines = [f"        a0 = {factory}", "        a1 = a0 * 2.0"]
    lines += [f"        a{i} = a{i - 1} * a{i - 2} + a{i - 1}" for i in range(2, length)]
    return (
        "import torch\nfrom torch import nn\n\n\nclass Chain(nn.Module):\n    def __init__(self, n):\n"
        "        super().__init__()\n" + "\n".join(lines) + f"\n        self.w = nn.Parameter(a{length - 1})\n"
    )


def judged(source: str) -> FileContext:
    context = FileContext([ParsedChunk(1, cst.parse_module(source))], source, AnalysisOptions())
    assert context.flow.storages
    return context


def test_a_chain_of_locals_is_followed_in_linear_steps():
    short, long = judged(chained(10)), judged(chained(20))
    assert long.provenance.steps <= 2.5 * short.provenance.steps  # a revisiting walk: over 100x
    huge = judged(chained(2_000))
    assert huge.provenance.steps <= 10 * 2_000


def test_the_chain_still_carries_the_storage_and_every_name_it_went_through():
    context = judged(chained(2_000))
    [storage] = context.flow.storages
    assert storage.verdict == Verdict.UNINITIALIZED
    assert {"a0", "a1", "a1999", "self.w"} <= storage.roots


def test_a_cycle_through_a_local_is_cut_without_losing_the_factory():
    source = """\
import torch
from torch import nn


class Loop(nn.Module):
    def __init__(self, n, steps):
        super().__init__()
        h = torch.empty(n)
        g = h
        for _ in range(steps):
            h = g * 0.5
            g = h + g
        self.w = nn.Parameter(g)
        self.v = nn.Parameter(h)
"""
    context = judged(source)
    [storage] = context.flow.storages
    assert {"h", "g", "self.w", "self.v"} <= storage.roots
