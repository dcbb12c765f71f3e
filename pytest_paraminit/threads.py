"""The checker's own tensor ops run on one intra-op thread.

On a busy machine (CI runners, 2 cores shared by several jobs) an OpenMP parallel region waits for a
scheduler slice before its second thread runs: a 1 M-element ``fill_`` took 7.6 ms on two threads and
0.05 ms on one, a 1 MB reduction up to 500x longer; the statistics of a 1 B-parameter model took
0.3-14 s on two threads and 0.44-0.54 s on one under the same load.  So every op of the checker
runs on one thread (its chunks are cache-sized anyway); the user's own ops keep the caller's count.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """One intra-op thread inside, the caller's count restored afterwards (also on error)."""
    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
