"""``paraminit check --watch``: check, then check again whenever a checked kind of file
(Python, notebook, settings) changes, with the maintained ``watchfiles`` library."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TextIO

from ruff_like_rules.workspace.config import ConfigError

WATCHED = (".py", ".pyi", ".ipynb", ".toml")


def watch(paths: Sequence[str], check: Callable[[], int], stdout: TextIO) -> int:
    """Run ``check`` now and after each batch of changes, until interrupted (Ctrl-C)."""
    try:
        from watchfiles import DefaultFilter, watch as changes
    except ImportError:
        raise ConfigError("--watch needs the `watchfiles` package (the `watch` extra): "
                          "pip install 'watchfiles>=0.21'") from None

    class Checked(DefaultFilter):
        def __call__(self, change, path: str) -> bool:
            return path.endswith(WATCHED) and super().__call__(change, path)

    def once() -> None:
        check()
        stdout.write(f"[{time.strftime('%H:%M:%S')}] Watching for file changes.\n")
        stdout.flush()

    once()
    for _batch in changes(*paths, watch_filter=Checked(), raise_interrupt=False):
        stdout.write(f"[{time.strftime('%H:%M:%S')}] File change detected. Checking again.\n")
        once()
    return 0
