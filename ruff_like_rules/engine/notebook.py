"""Jupyter notebooks (``.ipynb``): their code cells checked as one Python text, findings
shown by cell, and fixes written back into the cells with everything else untouched.

The Python text is the code cells in order, each followed by a boundary comment line, so a
fix that adds a line after a cell's last statement stays in that cell, and the fixed text
cuts back into cells. IPython line magics (``%time``, ``!ls``, ``x?``) become a ``pass``
that carries the magic in a comment (restored on write-back); a cell that starts with a
cell magic (``%%bash``) is not Python and is left out, as is a notebook of another kernel.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ruff_like_rules.engine.diagnostics import Position
from ruff_like_rules.syntax.lines import split_lines

NOTEBOOK_SUFFIX = ".ipynb"
BOUNDARY = "# paraminit: end of notebook cell"
_MAGIC_MARK = "pass  # paraminit-magic: "
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?P<magic>[%!?].*|[A-Za-z_][\w.]*\?{1,2})$")
_RESTORE = re.compile(rf"^(?P<indent>[ \t]*){re.escape(_MAGIC_MARK)}(?P<magic>.*)$")


class NotebookError(ValueError):
    """The file is not a notebook this tool can read (or write back)."""


def is_notebook(name: object) -> bool:
    return str(name).endswith(NOTEBOOK_SUFFIX)


@dataclass(frozen=True)
class Cell:
    """A code cell of the Python text: its number in the notebook (1-based, every cell
    counted) and the line of the Python text its first line is on."""

    number: int
    index: int  # position in the notebook's ``cells`` list
    first_line: int
    line_count: int


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise NotebookError(f"cell {cell.get('id', '?')}: `source` is neither a string nor a list of strings")


def _to_python(source: str) -> str:
    lines = [m.group("indent") + _MAGIC_MARK + m.group("magic") if (m := _MAGIC.match(line)) else line
             for line in split_lines(source)]
    return "".join(f"{line}\n" for line in lines)


def _from_python(text: str, original: str) -> str:
    lines = [(m.group("indent") + m.group("magic")) if (m := _RESTORE.match(line)) else line
             for line in split_lines(text)]
    joined = "\n".join(lines)
    return joined + "\n" if original.endswith("\n") or not original else joined


@dataclass(frozen=True)
class Notebook:
    document: dict[str, Any]
    cells: tuple[Cell, ...]
    python: str
    """The code cells as one Python text (what is analysed and fixed)."""
    indent: int | None

    @classmethod
    def parse(cls, data: bytes) -> Notebook:
        """Raises :class:`NotebookError` for a file that is not a readable notebook."""
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise NotebookError(f"notebook is not UTF-8 (byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise NotebookError(f"notebook is not valid JSON: {error.msg} at {error.lineno}:{error.colno}") from None
        if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
            raise NotebookError("notebook has no `cells` list")
        if not _is_python(document.get("metadata")):
            return cls(document, (), "", _indent(data))
        cells: list[Cell] = []
        parts: list[str] = []
        line = 1
        for index, cell in enumerate(document["cells"]):
            if not isinstance(cell, dict):
                raise NotebookError(f"cell {index + 1} is not an object")
            if cell.get("cell_type") != "code":
                continue
            source = _source(cell)
            if source.lstrip().startswith("%%"):
                continue
            python = _to_python(source)
            count = python.count("\n")
            cells.append(Cell(index + 1, index, line, count))
            parts.append(python + BOUNDARY + "\n")
            line += count + 1
        return cls(document, tuple(cells), "".join(parts), _indent(data))

    def locate(self, position: Position) -> tuple[int | None, Position]:
        """(cell number, position within the cell) of a position in the Python text."""
        chosen = None
        for cell in self.cells:
            if cell.first_line > position.line:
                break
            chosen = cell
        if chosen is None:
            return None, position
        line = position.line - chosen.first_line + 1
        if line > chosen.line_count:  # the boundary line after the cell (an error at its end)
            return chosen.number, Position(max(chosen.line_count, 1), 0)
        return chosen.number, Position(line, position.column)

    def with_python(self, text: str) -> bytes:
        """The notebook with its code cells replaced by the cells of ``text`` (the Python text
        after fixing); outputs, metadata and other cells stay as they were."""
        pieces = text.split(BOUNDARY + "\n")
        if len(pieces) != len(self.cells) + 1 or pieces[-1]:
            raise NotebookError("the fixed code no longer splits into the notebook's cells")
        document = json.loads(json.dumps(self.document))
        for cell, piece in zip(self.cells, pieces, strict=False):
            entry = document["cells"][cell.index]
            original = _source(entry)
            if piece == _to_python(original):
                continue
            new = _from_python(piece, original)
            entry["source"] = split_lines(new, keepends=True) if isinstance(entry.get("source"), list) else new
        return (json.dumps(document, indent=self.indent, ensure_ascii=False) + "\n").encode("utf-8")


def _is_python(metadata: Any) -> bool:
    """A notebook says its language in ``language_info`` or the kernel spec; unsaid means Python."""
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field].lower() == "python"
    return True


def _indent(data: bytes) -> int | None:
    """The indent the notebook was saved with (nbformat writes 1), to write it back alike."""
    match = re.match(rb"\{\r?\n( +)", data.lstrip(b"\xef\xbb\xbf"))
    return len(match.group(1)) if match else None
