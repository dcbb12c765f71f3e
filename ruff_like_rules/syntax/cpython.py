"""What CPython's own compiler says of a text: the cheap answer to "does the whole file parse?".

When the prefilter's chunks hold a finding, the whole file must parse before the finding is
reported (a syntax error elsewhere in it wins). Building a libcst tree of the whole file only
to throw it away costs about ten times what CPython takes to answer the same question, so
CPython answers first. What it compiles, libcst (whose grammar covers the running
interpreter's) parses too; only a text CPython refuses goes on to libcst, whose verdict and
message stay the ones reported. CPython refusing more than libcst does (``return`` outside a
function, syntax of a newer Python) costs time, never a finding.
"""

from __future__ import annotations

import warnings


def compiles(text: str) -> bool:
    """Whether CPython compiles ``text``; False also where it cannot tell (NUL bytes, too deep)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: not ours to print
            compile(text, "<paraminit>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True
