"""The pytest plugin through real pytest runs (pytester, in-process unless a subprocess is the point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from buggy_modules import BUGS, UNREGISTERED
from report_file import load_report

HERE = Path(__file__).parent

BUG_SUITE = """
import pytest
from buggy_modules import BUGS, UNREGISTERED

CASES = (BUGS + UNREGISTERED)[::STEP]

@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fixture(param_init, case):
    (param_init.deferred if case.deferred else param_init)(case.module)

@pytest.mark.parametrize("case", [c for c in CASES if not c.deferred], ids=lambda case: case.id)
def test_flag(case):
    case.module()
"""


@pytest.fixture
def runtime_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert(HERE)
    return pytester


def _findings_by_test(report_path: Path) -> dict[str, set[tuple[str, str]]]:
    data = load_report(report_path)
    found: dict[str, set] = {}
    for record in data["reports"]:
        found.setdefault(record["test"], set()).update(
            (f["check"], f["name"]) for f in record["findings"] if not f["allowed"]
        )
    return found


def test_bug_suite_fails_through_fixture_and_flag(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(test_bugs=BUG_SUITE.replace("STEP", "1"))
    report = runtime_pytester.path / "report.json"
    result = runtime_pytester.runpytest("--check-param-init", f"--param-init-report={report}")
    cases = BUGS + UNREGISTERED
    flagged = [c for c in cases if not c.deferred]
    result.assert_outcomes(failed=len(cases) + len(flagged))
    found = _findings_by_test(report)
    for case in cases:
        assert (case.check, case.name) in found[f"test_bugs.py::test_fixture[{case.id}]"], case.id
    for case in flagged:
        assert (case.check, case.name) in found[f"test_bugs.py::test_flag[{case.id}]"], case.id
    result.stdout.fnmatch_lines(["*== paraminit ==*", "checked * modules, * parameters: * findings (*) in * tests",
                                 "time spent checking: *.* s"])


INTENDED_SUITE = """
import pytest
from intended_modules import INTENDED

@pytest.mark.parametrize("module", list(INTENDED), ids=lambda module: module.__name__)
def test_fixture(param_init, module):
    param_init(module)

@pytest.mark.parametrize("module", list(INTENDED), ids=lambda module: module.__name__)
def test_flag(module):
    module()
"""


def test_deliberate_inits_pass_through_fixture_and_flag_with_notes(runtime_pytester: pytest.Pytester):
    from intended_modules import INTENDED

    runtime_pytester.makepyfile(test_intended=INTENDED_SUITE)
    report = runtime_pytester.path / "report.json"
    result = runtime_pytester.runpytest("--check-param-init", f"--param-init-report={report}")
    result.assert_outcomes(passed=2 * len(INTENDED))
    result.stdout.fnmatch_lines(["checked * modules, * parameters: 0 findings"])
    notes: dict[str, set[str]] = {}
    for record in load_report(report)["reports"]:
        assert not record["findings"], record
        notes.setdefault(record["test"], set()).update(note.split(": ")[1].split(" (")[0] for note in record["notes"])
    for module, kinds in INTENDED.items():
        for way in ("fixture", "flag"):
            assert notes.get(f"test_intended.py::test_{way}[{module.__name__}]", set()) == set(kinds), module


def test_failure_report_names_the_line_that_created_the_parameter(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        """
        import torch
        from torch import nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.Tensor(64, 32))
                self.norm = nn.LayerNorm(32)

        def test_block():
            Block()
        """
    )
    result = runtime_pytester.runpytest("--check-param-init")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "paraminit: Block built at *test_failure_report_names_the_line_that_created_the_parameter.py:11",
        "*parameter*shape*dtype*mean*std*expected*min*max*histogram*verdict",
        "*weight*64×32*float32*nan*nan*uninitialized",
        "*norm.weight*32*float32*1*0*|x| ≤ 20*ok",
        "*[[]uninitialized[]] weight: 2048 of 2048 elements never written (expected 0)",
        "*created at *.py:7",
    ])


def test_clean_training_suite_passes_under_the_flag(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        """
        import pytest, torch
        from torch import nn

        @pytest.mark.parametrize("width", [8, 64, 512])
        def test_train(width):
            model = nn.Sequential(nn.Linear(16, width), nn.ReLU(), nn.LayerNorm(width), nn.Linear(width, 1))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for _ in range(3):
                loss = model(torch.randn(4, 16)).pow(2).mean()
                optimizer.zero_grad(); loss.backward(); optimizer.step()
            assert not torch.are_deterministic_algorithms_enabled()
        """
    )
    result = runtime_pytester.runpytest("--check-param-init")
    result.assert_outcomes(passed=3)
    # each Linear/LayerNorm is checked when built; the Sequential adds no parameter of its own
    result.stdout.fnmatch_lines(["checked 15 modules, 18 parameters: 0 findings"])


def test_a_checked_child_is_not_reported_again_by_its_container(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        """
        import torch
        from torch import nn

        class Raw(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(8, 8))

        def test_wrapped():
            raw = Raw()
            nn.Sequential(raw, nn.Sequential(raw))

        def test_built_inside():
            nn.Sequential(Raw(), nn.Linear(8, 8))
        """
    )
    report = runtime_pytester.path / "report.json"
    result = runtime_pytester.runpytest("--check-param-init", f"--param-init-report={report}")
    result.assert_outcomes(failed=2)
    findings = [
        (record["test"].rsplit("::", 1)[1], record["module"].split()[0], finding["name"])
        for record in load_report(report)["reports"]
        for finding in record["findings"]
    ]
    # arguments are built (and checked) before the container's constructor starts; containers add nothing
    assert findings == [("test_wrapped", "Raw", "weight"), ("test_built_inside", "Raw", "weight")]
    result.stdout.fnmatch_lines(["checked 6 modules, 4 parameters: 2 findings (uninitialized: 2) in 2 tests"])


def test_a_test_failing_on_its_own_shows_its_error_and_the_watch_ends(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        """
        import pytest
        from buggy_modules import LegacyTensor

        @pytest.fixture
        def built_at_teardown():
            yield
            LegacyTensor()  # teardown is not watched

        def test_own_failure(built_at_teardown):
            LegacyTensor()
            assert False, "the test's own failure"

        def test_after():
            pass  # nothing built: nothing checked
        """
    )
    result = runtime_pytester.runpytest("--check-param-init")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the test's own failure*"])
    result.stdout.no_fnmatch_line("paraminit: LegacyTensor built at *")
    # the module built in the failing call was checked and counted; the one built at teardown was not
    result.stdout.fnmatch_lines(["checked 1 module, 1 parameters: 1 finding (uninitialized: 1) in 1 test"])

def test_without_the_flag_nothing_is_checked(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(BUG_SUITE.replace("STEP", "1"))
    result = runtime_pytester.runpytest("-k", "test_flag")
    result.assert_outcomes(passed=len([c for c in BUGS + UNREGISTERED if not c.deferred]))
    assert "== paraminit ==" not in result.stdout.str()


LORA = """
import pytest, torch
from torch import nn

class LoRA(nn.Module):
    def __init__(self):
        super().__init__()
        self.lora_A = nn.Parameter(torch.randn(4, 64) / 8)
        self.lora_B = nn.Parameter(torch.ones(64, 4))  # ones where zeros were meant

    def forward(self, x):
        return x @ self.lora_A.t() @ self.lora_B.t()

class Adapter(nn.Module):
    def __init__(self):
        super().__init__()
        self.adapter = LoRA()

def test_plain():
    Adapter()

@pytest.mark.param_init(allow={"*.lora_B": "constant"})
def test_marker_allows():
    Adapter()

@pytest.mark.param_init(allow={"*.lora_B": "scale"})
def test_marker_allows_another_check():
    Adapter()

@pytest.mark.param_init(skip="built on purpose")
def test_marker_skips():
    Adapter()

def test_fixture_allowing(param_init):
    param_init.allowing({"adapter.lora_B": ["constant"]})(Adapter)

@pytest.mark.param_init(allow={"*.lora_B": "constant"})
def test_fixture_reads_marker(param_init):
    param_init(Adapter)
"""


def test_marker_fixture_and_ini_allow_lists(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(test_lora=LORA)
    result = runtime_pytester.runpytest("--check-param-init", "-rA")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["FAILED test_lora.py::test_plain - *", "FAILED test_lora.py::test_marker_allows_another_check*"])
    runtime_pytester.makeini("[pytest]\nparam_init_allow =\n    *.lora_B: constant, duplicate-units\n")
    runtime_pytester.runpytest("--check-param-init").assert_outcomes(passed=6)


def test_unknown_check_in_ini_is_a_usage_error(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(test_lora=LORA)
    runtime_pytester.makeini("[pytest]\nparam_init_allow =\n    *.lora_B: constnt\n")
    result = runtime_pytester.runpytest("--check-param-init")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown check id(s) [[]'constnt'[]] for '*.lora_B' (did you mean 'constant'?); known: *"])


def test_constructor_error_reaches_the_test_and_settings_are_restored(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        """
        import pytest, torch
        from torch import nn

        class Broken(nn.Module):
            def __init__(self):
                super().__init__()
                raise ValueError("bad width")

        def test_raises():
            with pytest.raises(ValueError, match="bad width"):
                Broken()
            assert not torch.are_deterministic_algorithms_enabled()

        def test_fixture(param_init):
            param_init(Broken)
        """
    )
    result = runtime_pytester.runpytest("--check-param-init")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*constructor raised ValueError: bad width"])


def test_targets_become_items_built_by_the_hook(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(
        models="""
        import torch
        from torch import nn

        class Clean(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(8, 8)

        class NeedsWidth(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(width, width))

        class NeedsConfig(nn.Module):
            def __init__(self, config):
                super().__init__()
        """,
        conftest="""
        def pytest_paraminit_build(cls, config):
            if cls.__name__ == "NeedsWidth":
                return cls(16)
        """,
    )
    runtime_pytester.syspathinsert()
    runtime_pytester.makeini("[pytest]\nparam_init_targets = models\n")
    result = runtime_pytester.runpytest("-rfs")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    line = 1 + next(n for n, text in enumerate(Path(runtime_pytester.path, "models.py").read_text().splitlines())
                    if "class NeedsConfig" in text)
    result.stdout.fnmatch_lines([
        "FAILED models.py::NeedsWidth - Failed: paraminit: models.NeedsWidth",
        f"SKIPPED [[]1[]] models.py:{line}: cannot build NeedsConfig: TypeError*",  # the class, not the plugin
    ])
    result.stdout.fnmatch_lines(["*weight*16×16*uninitialized"])


def test_an_unimportable_target_is_a_collection_error(runtime_pytester: pytest.Pytester):
    runtime_pytester.makepyfile(models="import torch\n\nclass Clean(torch.nn.Module):\n    pass\n",
                                test_plain="def test_plain():\n    pass\n")
    runtime_pytester.syspathinsert()
    args = ("--param-init-target", "no_such_module", "--param-init-target", "models:Nope")
    result = runtime_pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting models.py*", "*cannot import models:Nope: *Nope*"])
    result.stdout.fnmatch_lines(["*cannot import no_such_module: no module named 'no_such_module'*"])
    kept_going = runtime_pytester.runpytest(*args, "--continue-on-collection-errors")
    kept_going.assert_outcomes(passed=1, errors=2)


def test_xdist_gives_the_same_verdicts_and_merges_the_report(pytester: pytest.Pytester, monkeypatch):
    pytester.makepyfile(test_bugs=BUG_SUITE.replace("STEP", "3"))  # every third case keeps two subprocess runs short
    report = pytester.path / "report.json"
    serial = pytester.path / "serial.json"
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    args = ["--check-param-init", "-p", "no:cacheprovider", "-q"]
    result = pytester.runpytest_subprocess(*args, "-n", "2", f"--param-init-report={report}")
    result_serial = pytester.runpytest_subprocess(*args, f"--param-init-report={serial}")
    cases = (BUGS + UNREGISTERED)[::3]
    failed = len(cases) + len([c for c in cases if not c.deferred])
    result.assert_outcomes(failed=failed)
    result_serial.assert_outcomes(failed=failed)
    assert _findings_by_test(report) == _findings_by_test(serial)
    merged, alone = load_report(report), load_report(serial)
    assert merged["modules"] == alone["modules"]
    assert merged["seconds"] == pytest.approx(sum(r["seconds"] for r in merged["reports"])) and merged["seconds"] > 0


def test_plugin_import_does_not_import_torch():
    code = ("import sys, pytest_paraminit.plugin, pytest_paraminit\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n"
            "from pytest_paraminit import AllowList, CHECKS\n"
            "assert 'torch' not in sys.modules, 'torch imported by the check ids'")
    subprocess.run([sys.executable, "-c", code], check=True)


# pytest with torch unimportable: a None entry in sys.modules makes every ``import torch`` fail
WITHOUT_TORCH = "import sys; sys.modules['torch'] = None; import pytest; raise SystemExit(pytest.main(sys.argv[1:]))"


def test_without_torch_pytest_works_and_only_the_checks_need_it(pytester: pytest.Pytester):
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n",
                        test_fixture="def test_uses_it(param_init):\n    param_init.allowing({'*': 'scale'})\n")
    pytester.makeini("[pytest]\nparam_init_allow =\n    *.lora_B: constant\n")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, "-p", "no:cacheprovider", *args],
                              cwd=pytester.path, capture_output=True, text=True)

    plain = run()
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "2 passed" in plain.stdout
    flagged = run("--check-param-init")
    assert flagged.returncode == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: --check-param-init needs torch: import of torch halted" in flagged.stderr
    targets = run("--param-init-target", "test_plain")  # an unimportable target fails its file's collection
    assert targets.returncode == pytest.ExitCode.INTERRUPTED
    assert "cannot import test_plain: import of torch halted" in targets.stdout


FIXTURE_SCOPES = """
import pytest
import torch
from torch import nn

class Raw(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(4, 4))

@pytest.fixture(scope="module")
def raw():
    return Raw()

@pytest.fixture(scope="session")
def wrapped():
    return {"model": nn.Sequential(nn.Linear(4, 4), Raw())}

def test_first(raw):
    pass

def test_second(raw):
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_wrapped(wrapped, n):
    pass

def test_clean():
    nn.Linear(4, 4)
"""


def test_every_test_receiving_a_cached_module_with_findings_shows_them(pytester: pytest.Pytester):
    pytester.makepyfile(test_scopes=FIXTURE_SCOPES)
    report = pytester.path / "report.json"
    result = pytester.runpytest("--check-param-init", "-p", "no:randomly", f"--param-init-report={report}")
    result.assert_outcomes(passed=1, errors=4)
    # the error sections only: under CI=true pytest prints the short summary untruncated, with the message again
    text = result.stdout.str().split("short test summary info")[0]
    for test in ("test_first", "test_second", "test_wrapped[[]1[]]", "test_wrapped[[]2[]]"):
        result.stdout.fnmatch_lines([f"*ERROR at setup of {test}*", "paraminit: Raw built at *test_scopes.py:*"])
    assert text.count("(received from a fixture; first reported in test_scopes.py::test_first)") == 1
    assert text.count("(received from a fixture; first reported in test_scopes.py::test_wrapped[1])") == 1
    data = load_report(report)
    assert data["failed_tests"] == sorted(f"test_scopes.py::{test}" for test in
                                          ("test_first", "test_second", "test_wrapped[1]", "test_wrapped[2]"))
    assert data["modules"] == 5  # each built once, checked once: Raw; Linear, Raw, the Sequential; test_clean's Linear


def test_a_module_built_at_import_time_fails_the_collection_of_its_file(pytester: pytest.Pytester):
    pytester.makepyfile(test_scopes=FIXTURE_SCOPES, test_imported="""
        from test_scopes import Raw
        from torch import nn

        MODEL = nn.Sequential(nn.Linear(4, 4), Raw())

        def test_uses_it():
            assert MODEL is not None
        """)
    pytester.mkpydir("sub").joinpath("conftest.py").write_text(
        "from torch import nn\nfrom test_scopes import Raw\nSHARED = Raw()\n")
    pytester.path.joinpath("sub", "test_sub.py").write_text("def test_sub():\n    pass\n")
    result = pytester.runpytest("--check-param-init", "--continue-on-collection-errors", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["*ERROR collecting test_imported.py*", "paraminit: Raw built at *test_imported.py:4",
                                 "*uninitialized*weight*"])
    result.stdout.fnmatch_lines(["*ERROR collecting sub*", "paraminit: Raw built at *conftest.py:3"])
    assert "test_uses_it" not in result.stdout.str()
    clean = pytester.runpytest("test_scopes.py::test_clean", "-p", "no:randomly")  # without the flag: not checked
    clean.assert_outcomes(passed=1)


def test_a_worker_that_dies_keeps_its_results_and_is_named_in_the_summary(pytester: pytest.Pytester, monkeypatch):
    body = "\n".join(f"def test_raw_{n}():\n    LegacyTensor()\n" for n in range(3))
    pytester.makepyfile(test_dies="from buggy_modules import LegacyTensor\nimport os\n\n" + body
                        + "\ndef test_zz_dies():\n    os._exit(3)\n",
                        test_lives="from buggy_modules import LegacyTensor\n\n" + body)
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess("--check-param-init", "-p", "no:cacheprovider", "-p", "no:randomly",
                                           "-n", "2", "--max-worker-restart=0", "-rf", f"--param-init-report={report}")
    failed = {line.split()[1] for line in result.stdout.lines if line.startswith("FAILED ")}
    assert "test_dies.py::test_zz_dies" in failed and len(failed) >= 2  # the death, and what ran before it
    data = load_report(report)
    assert data["failed_tests"] == sorted(failed - {"test_dies.py::test_zz_dies"})  # none dropped
    assert data["modules"] == len(data["reports"]) == len(failed) - 1
    assert len(data["lost_workers"]) == 1 and data["lost_workers"][0].startswith("gw")
    result.stdout.fnmatch_lines([f"checked {len(failed) - 1} modules, * parameters: * findings (uninitialized: *)*",
                                 "lost worker gw*: its results up to its death are counted above"])
