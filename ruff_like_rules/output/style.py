"""ANSI styling for the text formats; a disabled painter returns text unchanged."""

from __future__ import annotations

BOLD, RED, CYAN, BLUE, RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[34m", "\x1b[0m"


class Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        return "".join(styles) + text + RESET if self.enabled and text else text


PLAIN = Painter(False)
