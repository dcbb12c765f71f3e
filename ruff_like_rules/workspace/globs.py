"""Ruff-style path globs for settings: ``exclude``, ``per-file-ignores``, ``.gitignore`` lines.

Paths are compared relative to a settings file's directory, with ``/`` separators.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

GLOB_CHARS = re.compile(r"[*?\[/]")
"""A pattern with none of these is a plain name: a set lookup, no regex."""


@functools.lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a path glob: ``*`` and ``?`` stay within one path segment, ``**`` spans any."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", index + 2)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = close + 1
                continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class PathGlob:
    """A Ruff-style file pattern: one without ``/`` matches a file or directory name
    anywhere; one with ``/`` matches the path relative to the settings' directory."""

    pattern: str

    def matches(self, relative: str) -> bool:
        if "/" in self.pattern.rstrip("/"):
            return glob_regex(self.pattern.strip("/")).match(relative) is not None
        name = relative.rsplit("/", 1)[-1]
        return glob_regex(self.pattern.rstrip("/")).match(name) is not None


def relative_to(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (the absolute path if outside).

    String work rather than ``Path.relative_to``: discovery calls this for every file.
    """
    text, base = os.fspath(path), os.fspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if text.startswith(prefix):
        text = text[len(prefix) :]
    elif text == base:
        text = "."
    return text.replace(os.sep, "/") if os.sep != "/" else text

