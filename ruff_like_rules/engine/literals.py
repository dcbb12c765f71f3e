"""Blanking huge data literals before parsing, for checks (never for fixes).

libcst spends about a millisecond per element building, visiting and positioning a list
like ``TABLE = [0.1, 0.2, ...]``: a 5 MB table with one finding beside it ran for minutes
and took gigabytes. A bracketed display made only of numbers, strings, ``True``/``False``/
``None``, signs, commas, colons, comments and nested brackets holds nothing a rule reads —
no name, no call, no attribute — so all of its inside but the first element is replaced
by spaces (line breaks kept), which keeps every position exact, and what is left is still a
display of that kind with that first element: ``torch.tensor([...])`` still reads a list
of numbers, a huge table passed to a call costs no more than one beside it. The brackets
of calls and subscripts (a bracket right after a name or a closing bracket) are kept whole:
rules read what is passed to a call.
"""

from __future__ import annotations

import re

MIN_BLANKED = 1024
"""Characters a display must span to be blanked: small literals cost nothing."""

_STRING = r"""(?:[rRbBuU]{0,2})(?:'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''|\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\[\s\S])*'|"(?:[^"\\\r\n]|\\[\s\S])*")"""
_DATA_RUN = re.compile(
    rf"(?:\s+|\#[^\r\n]*|{_STRING}|[-+]?(?:\d[\w.]*(?:[eE][-+]?\d+)?|\.\d[\w]*)[jJ]?|[-+,:\[\]{{}}()]|\b(?:True|False|None)\b)+"
)
_BRACKET_OR_SKIP = re.compile(rf"\#[^\r\n]*|{_STRING}|[\[{{(]|[\]}})]|,")
_NOT_BLANK = re.compile(r"[^\r\n]")
_OPENS = {"]": "[", "}": "{", ")": "("}


def blank_data_literals(text: str) -> str:
    """``text`` with the inside of every large pure-data display replaced by spaces."""
    if len(text) < MIN_BLANKED:
        return text
    spans: list[tuple[int, int]] = []
    for run in _DATA_RUN.finditer(text):
        if run.end() - run.start() >= MIN_BLANKED:
            spans.extend(_displays(text, run.start(), run.end()))
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(_NOT_BLANK.sub(" ", text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _displays(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans to blank within ``text[start:end]``: in each outermost large display that is
    neither a call's arguments nor a subscript, everything after its first element. What is
    kept reads as a display of the same kind with the same first element, wherever it stands
    (``torch.tensor([...])`` sees a list of numbers still)."""
    found: list[tuple[int, int]] = []
    stack: list[list] = []  # [bracket, applied, end of its first element]
    for token in _BRACKET_OR_SKIP.finditer(text, start, end):
        char = token.group()
        if char == ",":
            if stack and stack[-1][2] is None:
                stack[-1][2] = token.end()
        elif char in "[{(":
            stack.append([char, _applied(text, token.start()), None])
        elif char in "]})":
            if not stack or stack[-1][0] != _OPENS[char]:
                stack.clear()  # unbalanced inside this run: nothing here is a whole display
                continue
            _, applied, first = stack.pop()
            if applied or first is None or token.start() - first < MIN_BLANKED:
                continue
            while found and found[-1][0] >= first:  # displays inside this one: blanked with it
                found.pop()
            found.append((first, token.start()))
    return found


def _applied(text: str, bracket: int) -> bool:
    """The bracket at ``bracket`` calls or subscripts what stands before it."""
    before = text[:bracket].rstrip(" \t")
    return bool(before) and (before[-1].isalnum() or before[-1] in "_)]}\"'")
