"""Read a ``--param-init-report`` file as a strict JSON reader would, and validate it against the schema.

Every plugin test that writes a report reads it through :func:`load_report`, so any record the
published schema does not describe (or a bare NaN, which is not JSON) fails that test.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

import pytest_paraminit


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def report_schema() -> dict:
    return json.loads(resources.files(pytest_paraminit).joinpath("report.schema.json").read_text(encoding="utf-8"))


def load_report(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constants)
    jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    return data
