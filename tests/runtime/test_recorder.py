"""The session recorder without pytest: counts, the summary lines, records and the xdist merge."""

from __future__ import annotations

import json

import pytest
from torch import nn

from buggy_modules import LegacyTensor, ListOfLayers
from pytest_paraminit import AllowList, build_and_check
from pytest_paraminit.recorder import Recorder


def _reports():
    return [build_and_check(factory)[1] for factory in (LegacyTensor, ListOfLayers, lambda: nn.Linear(4, 4))]


def test_summary_counts_modules_parameters_findings_and_failing_tests():
    recorder = Recorder()
    assert recorder.summary() == ["checked 0 modules, 0 parameters: 0 findings", "time spent checking: 0.00 s"]
    legacy, listed, clean = _reports()
    recorder.add(clean, "test_a")
    assert recorder.summary()[0] == "checked 1 module, 2 parameters: 0 findings"
    recorder.add(legacy, "test_a")
    assert recorder.summary()[0] == "checked 2 modules, 3 parameters: 1 finding (uninitialized: 1) in 1 test"
    recorder.add(listed, "test_b")
    assert recorder.summary()[0] == (
        "checked 3 modules, 3 parameters: 2 findings (uninitialized: 1, unregistered-module: 1) in 2 tests"
    )
    assert recorder.seconds == legacy.seconds + listed.seconds + clean.seconds
    assert recorder.records == []  # kept only for --param-init-report


def test_workers_merge_into_what_one_process_records():
    legacy, listed, clean = _reports()
    allowed = build_and_check(LegacyTensor, allow=AllowList.from_lines(["weight: uninitialized"]))[1]
    allow = AllowList.from_lines(["weight: uninitialized", "*.never: scale"])
    alone = Recorder(keep_records=True)
    first, second = Recorder(keep_records=True), Recorder(keep_records=True)
    for report, test, worker in ((legacy, "test_a", first), (listed, "test_b", second), (clean, "test_c", second),
                                 (allowed, "test_d", second)):
        alone.add(report, test, allow)
        worker.add(report, test, allow)
    controller = Recorder(keep_records=True)
    for worker in (first, second):
        controller.merge(json.loads(json.dumps(worker.to_json())))  # as pytest-xdist hands it over
    merged, expected = controller.to_json(), alone.to_json()
    assert merged.pop("seconds") == pytest.approx(expected.pop("seconds"))  # summed in another order
    assert json.dumps(merged, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert controller.summary()[0] == alone.summary()[0]
    assert sorted(record["test"] for record in merged["reports"]) == ["test_a", "test_b", "test_c", "test_d"]
    assert merged["allow_rules"] == {"param_init_allow: weight: uninitialized": 1, "param_init_allow: *.never: scale": 0}
    assert controller.summary()[2:] == ["unused allow rule (it allowed no finding): param_init_allow: *.never: scale"]
