"""The report as users see it: the exact text, colors and JSON of fixed modules.

Every value below is a multiple of a power of two, so each statistic is exact whatever order a CPU
sums in: the expected text can be compared character by character.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from buggy_modules import BUGS
from pytest_paraminit import AllowList, build_and_check, build_deferred_and_check
from pytest_paraminit.findings import CheckId
from report_file import report_schema


class Fixed(nn.Module):
    """One of each row kind: judged ok, too large, never written, allowed, skipped; unregistered state."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.arange(12.0).reshape(3, 4) / 8 - 0.75)
        self.bias = nn.Parameter(torch.tensor([0.0, 32.0, 64.0]))
        self.raw = nn.Parameter(torch.empty(2, 3))  # the site the report names
        self.table = nn.Parameter(torch.ones(5, 2))
        self.steps = nn.Parameter(torch.zeros(2, dtype=torch.long), requires_grad=False)
        self.heads = [nn.Linear(2, 2)]
        self.lookup = torch.arange(3)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) @ self.table.t()


class NoReset(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = nn.Parameter(torch.ones(1) / 4)


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        raise ValueError("bad width")


SITE = f"{__file__}:" + str(next(
    number for number, line in enumerate(Path(__file__).read_text(encoding="utf-8").splitlines(), 1)
    if "# the site the report names" in line
))
RULE = "─────────  ─────  ───────  ───────  ─────  ─────────────  ─────  ─────  ─────────  " + "─" * 60
FIXED_ROWS = [
    "  parameter  shape  dtype    mean     std    expected       min    max    histogram  verdict",
    "  " + RULE,
    "  weight     3×4    float32  -0.0625  0.432  0.005..4       -0.75  0.625  █▄█▄▄█▄█   ok",
    "  bias       3      float32  32       26.1   |x| ≤ 20       0      64     █   █  █   scale",
    "  raw        2×3    float32  nan      nan    -              nan    nan    ∅          uninitialized",
    "  table      5×2    float32  1        0      0.00707..5.66  1      1      █          ok (allowed: constant)",
    "  steps      2      int64    -        -      -              -      -                 "
    "skipped: torch.int64 dtype (integer/bool: values not judged)",
]
BIAS_WHY = "a bias starts near 0; one this large swamps the activations it is added to"
BIAS_FIX = "nn.init.zeros_(self.bias) (or uniform_(-1/√fan_in, 1/√fan_in), PyTorch's default)"
RAW_WHY = "its values are whatever the memory held (NaN under the checker): training starts from garbage"
HEADS_WHY = "optimizers, .to() and state_dict never see what it holds: it is not trained, moved or saved"
FIXED_FINDINGS = [
    "",
    "  3 findings:",
    "  [scale] bias: max |x| = 64 for a bias (expected |x| ≤ 20)",  # the unit of the table's expected column
    f"      {BIAS_WHY}",
    f"      fix: {BIAS_FIX}",
    "      if deliberate: @pytest.mark.param_init(allow={'bias': 'scale'}), or the line 'bias: scale' under "
    "param_init_allow",
    "  [uninitialized] raw: 6 of 6 elements never written (expected 0)",
    f"      {RAW_WHY}",
    f"      created at {SITE}",
    "      fix: initialize it in __init__/reset_parameters (nn.init.*_ or copy_)",
    "  [unregistered-module] heads: list holding 1 unregistered Module (expected registered)",
    f"      {HEADS_WHY}",
    "      fix: self.heads = nn.ModuleList(...)",
    "  note: lookup: plain tensor [3] on cpu (register_buffer(...) if it should move with .to())",
]
UNINITIALIZED_FIX = "initialize it in __init__/reset_parameters (nn.init.*_ or copy_)"
FIXED_JSON = {
    "module": "Fixed",
    "error": None,
    "parameters": [
        {"name": "weight", "shape": [3, 4], "dtype": "float32", "role": "weight", "fan_in": 4, "expected": "0.005..4",
         "verdict": "ok", "mean": -0.0625, "std": math.sqrt(2.28125 / 12 - 0.0625**2), "min": -0.75, "max": 0.625,
         "nonfinite": 0},
        {"name": "bias", "shape": [3], "dtype": "float32", "role": "bias", "fan_in": None, "expected": "|x| ≤ 20",
         "verdict": "scale", "mean": 32.0, "std": math.sqrt(5120 / 3 - 32.0**2), "min": 0.0, "max": 64.0,
         "nonfinite": 0},
        {"name": "raw", "shape": [2, 3], "dtype": "float32", "role": "unknown", "fan_in": None, "expected": "-",
         "verdict": "uninitialized", "mean": None, "std": None, "min": None, "max": None,
         "nonfinite": 6, "null_reason": "no finite element: 6 of 6 are NaN or ±Inf"},
        {"name": "table", "shape": [5, 2], "dtype": "float32", "role": "weight", "fan_in": 2,
         "expected": "0.00707..5.66",
         "verdict": "ok (allowed: constant)", "mean": 1.0, "std": 0.0, "min": 1.0, "max": 1.0, "nonfinite": 0},
        {"name": "steps", "shape": [2], "dtype": "int64", "role": "unknown", "fan_in": None, "expected": "-",
         "verdict": "skipped: torch.int64 dtype (integer/bool: values not judged)",
         "skipped": "torch.int64 dtype (integer/bool: values not judged)"},
    ],
    "findings": [
        {"check": "scale", "name": "bias", "measured": "max |x| = 64 for a bias", "expected": "|x| ≤ 20", "site": None,
         "allowed": False, "why": BIAS_WHY, "fix": BIAS_FIX},
        {"check": "uninitialized", "name": "raw", "measured": "6 of 6 elements never written", "expected": "0",
         "site": SITE, "allowed": False, "why": RAW_WHY, "fix": UNINITIALIZED_FIX},
        {"check": "constant", "name": "table", "measured": "all 10 elements = 1", "expected": "varied values",
         "site": None, "allowed": True,
         "why": "every output unit computes the same function of its input and starts alike; a constant is an init "
                "for norm gains, not for weights",
         "fix": "nn.init.kaiming_uniform_(self.table, a=math.sqrt(5)) (PyTorch's default) or normal_(0, 0.02); "
                "zeros_ if the layer should start as a no-op"},
        {"check": "unregistered-module", "name": "heads", "measured": "list holding 1 unregistered Module",
         "expected": "registered", "site": None, "allowed": False, "why": HEADS_WHY,
         "fix": "self.heads = nn.ModuleList(...)"},
    ],
    "notes": ["lookup: plain tensor [3] on cpu (register_buffer(...) if it should move with .to())"],
}


def _json(report) -> str:
    """The report's JSON without the time it took, as text; it must be JSON (no NaN) and fit the schema."""
    data = report.to_json()
    schema = report_schema()
    jsonschema.validate({"test": "t", **data}, schema["$defs"]["report"] | {"$defs": schema["$defs"]})
    assert data.pop("seconds") >= 0
    return json.dumps(data, sort_keys=True, allow_nan=False)


def _fixed():
    _, report = build_and_check(Fixed, allow=AllowList.from_mapping({"table": "constant"}))
    return report


def test_a_fixed_report_renders_exactly():
    assert _fixed().render() == "\n".join(["paraminit: Fixed", *FIXED_ROWS, *FIXED_FINDINGS])


def test_color_marks_failing_rows_only():
    red = [f"  \x1b[31m{row[2:]}\x1b[0m" if row.endswith(("scale", "uninitialized")) else row for row in FIXED_ROWS]
    assert _fixed().render(color=True) == "\n".join(["paraminit: Fixed", *red, *FIXED_FINDINGS])


def test_a_fixed_report_as_json():
    assert _json(_fixed()) == json.dumps(FIXED_JSON, sort_keys=True)


def test_a_deferred_finding_names_the_class_without_reset_parameters():
    _, report = build_deferred_and_check(NoReset)
    assert report.render() == "\n".join([
        "paraminit: NoReset (deferred, reset_parameters)",
        "  parameter  shape  dtype    mean  std  expected   min  max  histogram  verdict",
        "  ─────────  ─────  ───────  ────  ───  ─────────  ───  ───  ─────────  ─────────────",
        "  gate       1      float32  nan   nan  |x| ≤ 100  nan  nan  ∅          uninitialized",
        "",
        "  1 finding:",
        "  [uninitialized] gate: 1 of 1 elements never written (expected 0)",
        f"      {RAW_WHY}",
        "      eager: computed in the constructor; deferred: never written — NoReset has no reset_parameters()",
        "      fix: give NoReset a reset_parameters() that writes self.gate",
    ])
    assert _json(report) == json.dumps({
        "module": "NoReset (deferred, reset_parameters)", "error": None,
        "parameters": [{"name": "gate", "shape": [1], "dtype": "float32", "role": "gate", "fan_in": None,
                        "expected": "|x| ≤ 100", "verdict": "uninitialized", "mean": None, "std": None,
                        "min": None, "max": None, "nonfinite": 1,
                        "null_reason": "no finite element: 1 of 1 are NaN or ±Inf"}],
        "findings": [{"check": "uninitialized", "name": "gate", "measured": "1 of 1 elements never written",
                      "expected": "0", "allowed": False, "why": RAW_WHY,
                      "site": "eager: computed in the constructor; deferred: never written — NoReset has no "
                              "reset_parameters()",
                      "fix": "give NoReset a reset_parameters() that writes self.gate"}],
        "notes": [],
    }, sort_keys=True)


def test_a_constructor_error_is_the_whole_report():
    module, report = build_and_check(Broken)
    assert module is None and report.failed
    assert report.render() == "paraminit: Broken\n  constructor raised ValueError: bad width"
    assert _json(report) == json.dumps({"module": "Broken", "error": "constructor raised ValueError: bad width",
                                        "parameters": [], "findings": [], "notes": []}, sort_keys=True)


def test_report_table_and_json():
    _, report = build_and_check(BUGS[0].module)
    text = report.render()
    header = text.splitlines()[1].split()
    assert header == ["parameter", "shape", "dtype", "mean", "std", "expected", "min", "max", "histogram", "verdict"]
    _, clean = build_and_check(nn.Linear, 256, 64)
    row = clean.render().splitlines()[3]
    assert row.split()[0] == "weight" and any(ch in row for ch in "▁▂▃▄▅▆▇█") and row.endswith("ok")
    data = report.to_json()
    assert data["findings"][0]["check"] == "uninitialized" and data["parameters"][0]["shape"] == [16, 8]
    assert math.isnan(report.parameters[0].stats.mean) or report.parameters[0].stats.mean is not None


def test_the_schema_names_every_check_id():
    assert report_schema()["$defs"]["check"]["enum"] == [check.value for check in CheckId]


def test_every_bug_report_is_json_that_fits_the_schema():
    for case in BUGS:
        _, report = (build_deferred_and_check if case.deferred else build_and_check)(case.module)
        _json(report)


def test_an_empty_or_overflowing_parameter_says_why_its_statistics_are_null():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.empty = nn.Parameter(torch.zeros(0, 4))
            self.huge = nn.Parameter(torch.tensor([3e38, -3e38, 3e38]))

    _, report = build_and_check(Odd)
    data = json.loads(_json(report))
    empty, huge = data["parameters"]
    assert (empty["mean"], empty["null_reason"]) == (None, "no elements")
    assert huge["mean"] == pytest.approx(1e38) and "null_reason" not in huge
