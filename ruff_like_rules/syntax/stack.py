"""Running a deep computation on a thread with a stack sized for it.

libcst parses, prints and visits trees recursively, so a legal but deep expression (a
500-term sum, lists nested 150 deep) exceeds Python's default recursion limit of 1000.
Such work is retried here: on a fresh thread whose C stack is large enough for a recursion
limit many times the default. The main thread keeps its own small stack and default limit.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

STACK_BYTES = 512 * 1024 * 1024
"""Address space only: pages are committed as the recursion touches them."""
RECURSION_LIMIT = 60_000
"""Frames allowed on the deep thread; well within ``STACK_BYTES`` for libcst's recursion."""

_T = TypeVar("_T")
_limit_lock = threading.Lock()


def call_with_deep_stack(function: Callable[[], _T]) -> _T:
    """``function()`` on a thread with a large stack and recursion limit; its exception,
    if it raises one, is raised here."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(function())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    with _limit_lock:
        previous_limit = sys.getrecursionlimit()
        previous_size = threading.stack_size(STACK_BYTES)
        try:
            sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
            worker = threading.Thread(target=run, name="paraminit-deep-stack")
            worker.start()
            worker.join()
        finally:
            threading.stack_size(previous_size)
            sys.setrecursionlimit(previous_limit)
    if failure:
        raise failure[0]
    return outcome[0]
