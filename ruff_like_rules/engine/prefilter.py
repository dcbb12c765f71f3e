"""Decide cheaply which parts of a file need the full libcst analysis.

Parsing every file with libcst costs about 60 s for the ``transformers`` tree, so a file is
cut into top-level blocks by scanning lines, and only these blocks are kept:

* blocks where a selected rule's trigger pattern occurs,
* every top-level statement that is not a ``def`` or ``class`` (imports must resolve, and
  module-level code reads what module-level code made; such statements are cheap),
* the classes that subclass a triggered class or name it in ``isinstance`` (an
  ``_init_weights`` elsewhere) or build one and write tensors (its owner zeroing it), the
  callers of a triggered function (a factory), and the
  same-file bases of every kept class, transitively,
* blocks that initialize other objects wholesale or call initializers on instances,
* the module-level functions kept code names (helpers), transitively,
* the module-level ``def``/``class`` that binds a name the file imports (it shadows it), and
  of all other dropped code its import statements, in place: names resolve through the
  imports of the whole file, at any depth.

A block concerns a rule where its ``trigger`` and ``trigger_with`` both occur (a factory
and a wrap such as ``Parameter``). Inside a kept class only the methods the analysis can
need survive: triggered methods, ``__init__`` and methods named like initializers, methods
that name a triggered class, methods that write something and mention an attribute a
triggered method assigns or loop over ``parameters()`` and the like (any mention, for rules
that read usage), and what kept methods call. Other methods are blanked, so positions stay exact.

Runs of kept blocks come back as chunks, each with the line it starts on, so libcst parses
each alone and positions are only computed for chunks that hold a finding. The cut is a
guess made from text; when a chunk does not parse, the caller falls back to the whole
file, so a wrong guess costs time, never findings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypeVar

from ruff_like_rules.syntax.lines import split_lines
from ruff_like_rules.vocabulary.triggers import (
    ASSIGNED_KEY,
    GENERIC_WRITE,
    INITIALIZER_NAME,
    INSTANCE_INITIALIZER_CALL,
    RENAMED_WRAP,
    TENSOR_WRITES,
    WRITES,
    Triggered,
)

_HEADER = re.compile(r"(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")
_CONTINUATION = re.compile(r"(?:else\b|elif\b|except\b|finally\b|[)\]}])")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CALLED_OR_PASSED = re.compile(r"\b(\w++)\s*+(?=\()|\(\s*+(\w++)\s*+[,)]")  # possessive: linear on long words
_SELF_CALL = re.compile(r"(?:self|super\(\))\.(\w+)\s*[(),]")
_SELF_CALL_WITH_ARGS = re.compile(r"self\.(\w+)\s*\(([^()]*)")
_T = TypeVar("_T")


@dataclass
class _Block:
    start: int  # first line index (0-based)
    end: int  # one past the last line index
    defines: str | None  # the name a ``def``/``class`` block binds
    is_class: bool


def _statement_starts(lines: list[str], first: int, end: int, indent: str) -> list[int]:
    """Lines in ``first:end`` that start a statement at exactly ``indent``.

    A decorator and the ``def``/``class`` it decorates (however many lines the decorator's
    arguments take) start one statement; ``else``/``except``/closing brackets continue one.
    """
    starts: list[int] = []
    open_string = False  # inside a triple-quoted string that started on an earlier line
    continued = False  # the previous line ended with a backslash
    decorating = False  # a decorator started a statement that its def/class has not ended yet
    width = len(indent)
    for index in range(first, end):
        line = lines[index]
        body = line[width:]
        at_indent = (
            line.startswith(indent)
            and body[:1] not in ("", " ", "\t", "\n", "\r", "#", "\f")
            and not open_string
            and not continued
        )
        if at_indent and not _CONTINUATION.match(body):
            if body.startswith("@"):
                if not decorating:
                    starts.append(index)
                decorating = True
            elif decorating and _HEADER.match(body):
                decorating = False
            else:
                decorating = False
                starts.append(index)
        if (line.count('"""') + line.count("\'\'\'")) % 2:
            open_string = not open_string
        continued = line.rstrip("\r\n").endswith("\\") and not open_string
    return starts


def _header(lines: list[str], start: int, end: int, indent: str) -> tuple[str | None, bool]:
    """The name a statement binds if it is a (decorated) def or class, and whether a class."""
    for index in range(start, end):
        line = lines[index]
        if not line.startswith(indent):
            continue
        body = line[len(indent) :]
        match = _HEADER.match(body)
        if match is not None:
            return match.group(1), body.startswith("class")
        if index == start and not body.startswith("@"):
            break
    return None, False


def _blocks(lines: list[str]) -> list[_Block]:
    starts = _statement_starts(lines, 0, len(lines), "")
    blocks: list[_Block] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        blocks.append(_Block(start, end, *_header(lines, start, end, "")))
    return blocks


@dataclass(frozen=True)
class Selection:
    """What the selected rules can concern: built once per rule set."""

    anywhere: re.Pattern[str]  # a file matching none of this is skipped unparsed
    pairs: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...]  # (trigger, trigger_with) per rule
    reads_usage: bool  # some rule reads how methods use storages, not only writes

    def triggers(self, text: str) -> bool:
        # the flat alternation first: one scan rules most blocks out, instead of one per rule
        return self.anywhere.search(text) is not None and any(
            t.search(text) and (w is None or w.search(text)) for t, w in self.pairs
        )

    def for_file(self, text: str) -> Selection:
        """``trigger_with`` is text; a file that renames what it names (``Parameter as P``)
        is judged by ``trigger`` alone."""
        if RENAMED_WRAP.search(text) is None:
            return self
        return Selection(self.anywhere, tuple((t, None) for t, _ in self.pairs), self.reads_usage)


@functools.lru_cache(maxsize=64)
def selection_for(rules: tuple[type[Selectable], ...]) -> Selection | None:
    """The rules' triggers as a prefilter; the file-level pattern is one flat alternation:
    Python's regex engine scans that about five times faster than wrapped groups."""
    alternatives = sorted({a for rule in rules for a in _top_level_alternatives(rule.trigger.pattern)})
    if not alternatives:
        return None
    pairs = tuple((rule.trigger, rule.trigger_with) for rule in rules)
    return Selection(re.compile("|".join(alternatives)), pairs, any(rule.reads_usage for rule in rules))


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split a regex on the ``|`` that are outside groups and character classes."""
    parts, depth, start, escaped, in_class = [], 0, 0, False, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


class Selectable(Triggered, Protocol):
    """What the prefilter reads of a rule (the engine's ``Rule``)."""

    reads_usage: ClassVar[bool]


@dataclass(frozen=True)
class Chunk:
    first_line: int  # 1-based line of the file where the chunk's text starts
    text: str


@dataclass
class _Member:
    start: int
    end: int
    name: str | None  # None for class-level statements, which are always kept


def _members(lines: list[str], block: _Block) -> list[_Member]:
    """Statements directly in a class body, found by their indentation."""
    header = next(i for i in range(block.start, block.end) if lines[i].startswith("class"))
    body = next(
        (i for i in range(header + 1, block.end) if lines[i].strip() and not lines[i].lstrip().startswith("#")), None
    )
    if body is None:
        return []
    indent = lines[body][: len(lines[body]) - len(lines[body].lstrip())]
    if not indent:
        return []  # a one-line class body
    starts = _statement_starts(lines, body, block.end, indent)
    members: list[_Member] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else block.end
        name, is_class = _header(lines, start, end, indent)
        members.append(_Member(start, end, None if is_class else name))
    return members


def _prune_class(
    lines: list[str], block: _Block, selection: Selection, keys: re.Pattern[str] | None, classes: re.Pattern[str] | None
) -> set[int]:
    """Line indexes of the class's methods the analysis cannot need."""
    members = _members(lines, block)
    methods = [m for m in members if m.name is not None]
    if len(methods) < 2:
        return set()
    texts = {id(m): "".join(lines[m.start : m.end]) for m in methods}
    kept: list[_Member] = []
    spreading: list[_Member] = []  # kept members whose callees construction or initializers run
    for member in methods:
        text = texts[id(member)]
        if selection.triggers(text) or INITIALIZER_NAME.search(member.name or ""):
            kept.append(member)
            spreading.append(member)
        elif (classes is not None and classes.search(text)) or (
            (selection.reads_usage or WRITES.search(text))
            and (GENERIC_WRITE.search(text) or (keys is not None and keys.search(text)))
        ):
            kept.append(member)
    by_name = _definers([(m.name, m) for m in methods])
    pending = list(kept)
    while pending:
        member = pending.pop()
        text = texts[id(member)]
        if member in spreading:
            names = set(_SELF_CALL.findall(text))
        elif keys is not None:  # a helper handed one of the storages: self.init_w(self.w)
            names = {m.group(1) for m in _SELF_CALL_WITH_ARGS.finditer(text) if keys.search(m.group(2))}
        else:
            names = set()
        for called in (c for name in names for c in by_name.get(name, ())):
            if called not in kept:
                kept.append(called)
                spreading.append(called)
                pending.append(called)
    if not kept:
        kept.append(methods[0])  # a class body must keep a statement to parse
    dropped: set[int] = set()
    for member in methods:
        if member not in kept:
            dropped.update(range(member.start, member.end))
    return dropped


def select_chunks(text: str, selection: Selection, *, block_by_block: bool = False) -> list[Chunk] | None:
    """The parts of ``text`` the rules need; None when nothing can concern them.

    Kept blocks that follow each other form one chunk, which is one parse.  ``block_by_block``
    makes every kept top-level def and class a chunk of its own (runs of plain statements stay
    together): the language server keeps parsed chunks between edits, so an edit re-parses one
    block instead of every kept block next to it.
    """
    if selection.anywhere.search(text) is None:
        return None
    selection = selection.for_file(text)
    lines = split_lines(text, keepends=True)
    blocks = _blocks(lines)
    block_text = ["".join(lines[b.start : b.end]) for b in blocks]
    keep = [block.defines is None for block in blocks]  # plain statements are cheap to keep
    triggered = [i for i, t in enumerate(block_text) if blocks[i].defines is not None and selection.triggers(t)]
    for index in triggered:
        keep[index] = True
    for index, text_of_block in enumerate(block_text):
        if not keep[index] and _writes_through_others(text_of_block):
            keep[index] = True
    classes = _definers([(b.defines, i) for i, b in enumerate(blocks) if b.is_class and b.defines])
    triggered_classes = [blocks[i].defines for i in triggered if blocks[i].is_class]
    related = _alternation(triggered_classes)
    if related is not None:
        # subclasses of a triggered class, and checks naming it (an _init_weights): isinstance()
        # or a comparison with its name as a string (module.__class__.__name__ == "Attention")
        names = related.pattern
        checks = re.compile(
            r"(?:isinstance|issubclass)\s*\([^)]*" + names + r"|^class\s+\w+\s*\([^)]*" + names + r"|[\"']" + names + r"[\"']",
            re.M,
        )
        # and code that builds one and writes its tensors (self.sub = Bilinear(...);
        # self.sub.weight.data.zero_()): a write through another object counts for the class
        builds = re.compile(names + r"\s*\(")
        for index, text_of_block in enumerate(block_text):
            if not keep[index] and (
                checks.search(text_of_block) or (builds.search(text_of_block) and TENSOR_WRITES.search(text_of_block))
            ):
                keep[index] = True
    factories = _alternation(blocks[i].defines for i in triggered if not blocks[i].is_class)
    if factories is not None:
        # callers of a triggered function: what they do with its result decides
        calls = re.compile(factories.pattern + r"\s*\(")
        for index, text_of_block in enumerate(block_text):
            if not keep[index] and calls.search(text_of_block):
                keep[index] = True
    _keep_shadowing(blocks, text, keep)
    _pull_bases(blocks, block_text, keep, classes)
    keys = _alternation(
        key
        for i in triggered
        for text_part in _triggered_parts(lines, blocks[i], block_text[i], selection)
        for match in ASSIGNED_KEY.finditer(text_part)
        for key in match.groups()
        if key
    )
    named = _alternation([*triggered_classes, *(blocks[i].defines for i in triggered if not blocks[i].is_class)])
    dropped: set[int] = set()
    for index, block in enumerate(blocks):
        if keep[index] and block.is_class:
            dropped |= _prune_class(lines, block, selection, keys, named)
    functions = _definers([(b.defines, i) for i, b in enumerate(blocks) if b.defines and not b.is_class])
    _pull_functions(blocks, lines, keep, dropped, functions)
    replaced = _keep_imports(lines, blocks, keep, dropped)
    if all(keep) and not dropped and not block_by_block:
        return [Chunk(1, text)]
    return _chunks(lines, blocks, keep, dropped, replaced, block_by_block)


def _chunks(
    lines: list[str], blocks: list[_Block], keep: list[bool], dropped: set[int], replaced: dict[int, str], block_by_block: bool
) -> list[Chunk]:
    """Runs of kept blocks as chunks; dropped lines blank (or their import), so positions stay."""
    runs: list[list[int]] = []  # [first, last] block index of each chunk
    for index in range(len(blocks)):
        if not keep[index]:
            continue
        plain_pair = blocks[index].defines is None and blocks[index - 1].defines is None
        if runs and runs[-1][1] == index - 1 and (plain_pair or not block_by_block):
            runs[-1][1] = index
        else:
            runs.append([index, index])
    chunks = []
    for first, last in runs:
        start, end = blocks[first].start, blocks[last].end
        parts = (replaced.get(i, "\n") if i in dropped else lines[i] for i in range(start, end))
        chunks.append(Chunk(start + 1, "".join(parts)))
    return chunks


def _writes_through_others(text: str) -> bool:
    """Code that initializes other objects' parameters wholesale (a trainer's loop over
    ``model.named_parameters()``, ``model.apply(fn)``) or calls an initializer on an
    instance (``model.init_weights()``): the analysis counts both for every class."""
    return bool(INSTANCE_INITIALIZER_CALL.search(text)) or (
        bool(GENERIC_WRITE.search(text)) and bool(TENSOR_WRITES.search(text))
    )


def _definers(named: list[tuple[str | None, _T]]) -> dict[str, list[_T]]:
    """Everything of each name: a file or class may define one twice (a stub, then the real
    one; a fallback under ``try``), and the analysis reads every definition."""
    found: dict[str, list[_T]] = {}
    for name, item in named:
        if name is not None:
            found.setdefault(name, []).append(item)
    return found


def _pull_bases(blocks: list[_Block], block_text: list[str], keep: list[bool], classes: dict[str, list[int]]) -> None:
    """Keep the same-file bases of kept classes, transitively: methods are inherited."""
    pending = [i for i, b in enumerate(blocks) if keep[i] and b.is_class]
    while pending:
        header = block_text[pending.pop()].split(":", 1)[0]
        for name in _IDENTIFIER.findall(header.split("(", 1)[1] if "(" in header else ""):
            for base in classes.get(name, ()):
                if not keep[base]:
                    keep[base] = True
                    pending.append(base)


def _pull_functions(
    blocks: list[_Block], lines: list[str], keep: list[bool], dropped: set[int], functions: dict[str, list[int]]
) -> None:
    """Keep the module-level functions that kept code names, transitively (helpers that
    initialize what they are given, ``self.apply(init_fn)``). Plain statements pull only
    what they call or pass on (``model.apply(weights_init)``): an ``__all__`` list names
    everything."""
    pending = [i for i, kept in enumerate(keep) if kept]
    while pending:
        block = blocks[pending.pop()]
        text = "".join(lines[i] for i in range(block.start, block.end) if i not in dropped)
        if block.defines is None:
            names = {name for pair in _CALLED_OR_PASSED.findall(text) for name in pair if name}
        else:
            names = set(_IDENTIFIER.findall(text))
        for definer in (d for name in names for d in functions.get(name, ())):
            if not keep[definer]:
                keep[definer] = True
                pending.append(definer)


def _triggered_parts(lines: list[str], block: _Block, text: str, selection: Selection) -> list[str]:
    """The methods of a class where a rule is triggered (a non-class block: all of it)."""
    if not block.is_class:
        return [text]
    parts = ["".join(lines[m.start : m.end]) for m in _members(lines, block)]
    return [part for part in parts if selection.triggers(part)]


def _alternation(words) -> re.Pattern[str] | None:
    unique = sorted(set(words))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, unique)) + r")\b") if unique else None





# An import statement's first line (``import a.b as c``, ``from . import (x,``); a line of a
# docstring is told apart by the caller, which knows which lines are inside strings.
_IMPORT = re.compile(r"([ \t]*)(?:import[ \t]+[\w.]|from[ \t]+[\w.]+[ \t]+import\b)")
# Anything that may be an import, anywhere in the text, multi-line ones included: for the
# names they bind, where finding too many costs time only.
_IMPORTED = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]*(?:\([^)]*\)|[^\n]*)", re.M)


def _keep_shadowing(blocks: list[_Block], text: str, keep: list[bool]) -> None:
    """Keep the module-level ``def``/``class`` that binds a name the file also imports: the
    analysis resolves imports made anywhere in the file, but not a name the file defines."""
    dropped_names = {b.defines for i, b in enumerate(blocks) if not keep[i] and b.defines}
    if not dropped_names:
        return
    imported = {name for match in _IMPORTED.finditer(text) for name in _IDENTIFIER.findall(match.group())}
    for index, block in enumerate(blocks):
        if not keep[index] and block.defines in imported:
            keep[index] = True


def _keep_imports(lines: list[str], blocks: list[_Block], keep: list[bool], dropped: set[int]) -> dict[int, str]:
    """The import statements of dropped code, moved out to the dropped statement's own
    indentation on the lines they were on; the rest of it stays blank.

    The analysis resolves names through the imports of the whole file, at any depth
    (``import torch`` inside a helper function), so dropping a block must not drop its
    imports; line by line they keep their order, which decides between two that bind one
    name. A dropped top-level block holding one becomes ``if True:`` and its imports.
    """
    replaced: dict[int, str] = {}
    for start, end in _runs(dropped):
        first = lines[start]  # a dropped method's first line: the class body's indentation
        found = _imports_in(lines, start, end, first[: len(first) - len(first.lstrip())])
        if found is None:
            dropped.difference_update(range(start, end))
        else:
            replaced.update(found)
    for index, block in enumerate(blocks):
        if not keep[index] and block.defines is not None:
            found = _imports_in(lines, block.start, block.end, "    ")
            if found is None or found:
                keep[index] = True
            if found:
                dropped.update(range(block.start, block.end))
                replaced.update(found)
                # under a block of their own, as in the file: not module-level imports (a fix
                # adds ``import math`` before the first of those)
                replaced[block.start] = "if True:\n"
    return replaced


def _runs(indexes: set[int]) -> list[tuple[int, int]]:
    """Maximal ranges ``(start, end)`` of consecutive line indexes."""
    runs: list[tuple[int, int]] = []
    for index in sorted(indexes):
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def _imports_in(lines: list[str], start: int, end: int, indent: str) -> dict[int, str] | None:
    """Each line of the import statements in ``start:end`` (not in strings), re-indented to
    ``indent``; None when an import shares its line with other statements (``import a; f()``)."""
    found: dict[int, str] = {}
    open_string = False
    depth = 0  # brackets the import statement being read has open
    continued = False  # its last line ended with a backslash
    for index in range(start, end):
        line = lines[index]
        code = line.split("#", 1)[0]  # an import holds no strings: ``#`` starts a comment
        if depth > 0 or continued:
            found[index] = line
        elif not open_string and (match := _IMPORT.match(line)) is not None:
            if ";" in code:
                return None
            found[index] = indent + line[match.end(1) :]
        else:
            if (line.count('"""') + line.count("\'\'\'")) % 2:
                open_string = not open_string
            continue
        depth += code.count("(") - code.count(")")
        continued = code.rstrip().endswith("\\")
    return found
