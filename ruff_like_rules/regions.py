"""Decide cheaply which parts of a file need the full libcst analysis.

Parsing every file with libcst costs about 60 s for the ``transformers`` tree, so a file is
cut into top-level blocks by scanning lines, and only these blocks are kept:

* blocks where a selected rule's trigger pattern occurs,
* every top-level statement that is not a ``def`` or ``class`` (imports must resolve, and
  module-level code reads what module-level code made; such statements are cheap),
* the blocks that define a name a kept block uses (bases, helpers it calls, transitively),
* the blocks that mention a class defined in a triggered block (``isinstance(m, ThatClass)``
  in an ``_init_weights`` elsewhere, subclasses that initialize what their base created).

Every other line is blanked, so line and column numbers of the sparse text are those of
the file. The cut is a guess made from text; when the sparse text does not parse, the
caller falls back to the whole file, so a wrong guess costs time, never findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")
_CONTINUATION = re.compile(r"(?:else\b|elif\b|except\b|finally\b|[)\]}])")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


@dataclass
class _Block:
    start: int  # first line index (0-based)
    end: int  # one past the last line index
    defines: str | None  # the name a ``def``/``class`` block binds
    is_class: bool


def _blocks(lines: list[str]) -> list[_Block]:
    starts: list[int] = []
    open_string = False  # inside a triple-quoted string that started in an earlier line
    after_decorator = False
    continued = False  # previous line ended with a backslash
    for index, line in enumerate(lines):
        first = line[:1]
        if (
            not open_string
            and not continued
            and first not in ("", " ", "\t", "\n", "\r", "#", "\f")
            and not _CONTINUATION.match(line)
            and not (after_decorator and _HEADER.match(line))
        ):
            starts.append(index)
        if not open_string and first == "@":
            after_decorator = True
        elif first not in ("", " ", "\t", "\n", "\r", "#"):
            after_decorator = False
        if (line.count('"""') + line.count("'''")) % 2:
            open_string = not open_string
        stripped = line.rstrip("\r\n")
        continued = stripped.endswith("\\") and not open_string
    blocks: list[_Block] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        header_line = start
        while lines[header_line].startswith("@") and header_line + 1 < end:
            header_line += 1
        match = _HEADER.match(lines[header_line])
        is_class = match is not None and lines[header_line].startswith("class")
        blocks.append(_Block(start, end, match.group(1) if match else None, is_class))
    return blocks


def sparse_source(text: str, trigger: re.Pattern[str]) -> str | None:
    """The text with unneeded top-level blocks blanked; None when nothing can concern the rules."""
    if trigger.search(text) is None:
        return None
    lines = text.splitlines(keepends=True)
    blocks = _blocks(lines)
    block_text = ["".join(lines[b.start : b.end]) for b in blocks]
    keep = [block.defines is None for block in blocks]  # plain statements are cheap to keep
    seeds: list[int] = []  # blocks whose referenced definitions are pulled in
    triggered_classes: list[str] = []
    for index, block in enumerate(blocks):
        if trigger.search(block_text[index]):
            keep[index] = True
            seeds.append(index)
            if block.is_class and block.defines:
                triggered_classes.append(block.defines)
    if triggered_classes:
        mention = re.compile(r"\b(?:" + "|".join(map(re.escape, triggered_classes)) + r")\b")
        for index, text_of_block in enumerate(block_text):
            if not keep[index] and mention.search(text_of_block):
                keep[index] = True
                seeds.append(index)
    definers: dict[str, list[int]] = {}
    for index, block in enumerate(blocks):
        if block.defines:
            definers.setdefault(block.defines, []).append(index)
    pending = seeds
    while pending:
        index = pending.pop()
        for name in set(_IDENTIFIER.findall(block_text[index])):
            for definer in definers.get(name, ()):
                if not keep[definer]:
                    keep[definer] = True
                    pending.append(definer)
    if all(keep):
        return text
    out = lines[:]
    for index, block in enumerate(blocks):
        if not keep[index]:
            for line_index in range(block.start, block.end):
                out[line_index] = "\n"
    return "".join(out)

