"""Show that two revisions of the runtime checker give the very same reports and pytest output.

    python bench/runtime_equivalence.py BEFORE_REF              # BEFORE_REF against the working tree
    python bench/runtime_equivalence.py BEFORE_REF --after REF  # two committed revisions

A behaviour-preserving change to ``pytest_paraminit`` must not change a character of what users
see. Each side runs its own revision (checked out with ``git worktree`` into ``bench/_work/``,
first on ``PYTHONPATH`` under ``python -P``) on the same inputs, the working tree's
``tests/runtime/buggy_modules.py`` and ``known_good.py``:

* reports: every ``nn.Module`` class of ``buggy_modules`` and every module of ``known_good``
  (the torch layers and the small transformers models), built by ``build_and_check`` and by
  ``build_deferred_and_check``, and the buggy ones once more with every check allowed; each
  report's text (plain and colored) and JSON, under the same seed;
* pytest: one run with ``--check-param-init`` and ``--param-init-report`` over a suite that uses
  the fixture, the flag, the marker and ``param_init_targets`` on those modules, and one run
  without the flag; the terminal output and the report file.

Only the public API and the command line are used, which both sides share however the package
is laid out inside. Timings are left out (``seconds``, ``in 1.23s``, ``time spent checking``);
the revision's and the suite's directories are replaced by placeholders. Prints what was
compared and every difference; exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from equivalence import checkout

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "tests" / "runtime"

# Run by each side: every report as {"<subject> [<variant>]": {"text", "color", "json"}} on stdout.
REPORTS = r'''
import json, sys

import torch
from torch import nn

import buggy_modules, known_good
from pytest_paraminit import AllowList, build_and_check, build_deferred_and_check

EVERYTHING = AllowList.from_mapping({"*": "*"})


def subjects():
    for name, value in sorted(vars(buggy_modules).items()):
        if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == "buggy_modules":
            yield f"buggy_modules.{name}", value, (), {}, True
    for name, (factory, args, kwargs) in known_good.TORCH_LAYERS.items():
        yield f"torch.nn {name}", factory, args, kwargs, False
    for name, factory in known_good.transformers_models().items():
        yield f"transformers {name}", factory, (), {}, False


def without_seconds(data):
    data.pop("seconds")
    return data


reports = {}
for name, factory, args, kwargs, buggy in subjects():
    variants = [("built", build_and_check, {}), ("deferred", build_deferred_and_check, {})]
    if buggy:
        variants.append(("everything allowed", build_and_check, {"allow": EVERYTHING}))
    for variant, build, options in variants:
        torch.manual_seed(0)
        _, report = build(factory, *args, **options, **kwargs)
        reports[f"{name} [{variant}]"] = {
            "text": report.render(), "color": report.render(color=True), "json": without_seconds(report.to_json()),
        }
json.dump(reports, sys.stdout)
'''

SUITE = '''
import pytest, torch
from torch import nn

from buggy_modules import BUGS, UNREGISTERED

CASES = BUGS + UNREGISTERED


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fixture(param_init, case):
    torch.manual_seed(0)
    (param_init.deferred if case.deferred else param_init)(case.module)


@pytest.mark.parametrize("case", [c for c in CASES if not c.deferred], ids=lambda case: case.id)
def test_flag(case):
    torch.manual_seed(0)
    case.module()


def test_fixture_check_of_a_built_module(param_init):
    torch.manual_seed(0)
    param_init.check(nn.Sequential(nn.Linear(16, 16), nn.Linear(16, 16)), example_input=torch.randn(2, 16))


@pytest.mark.param_init(allow={"*": "*"})
@pytest.mark.parametrize("case", CASES[:4], ids=lambda case: case.id)
def test_marker_allows(param_init, case):
    torch.manual_seed(0)
    param_init(case.module)
    case.module()


@pytest.mark.param_init(skip="on purpose")
def test_marker_skips():
    BUGS[0].module()


def test_fixture_allowing(param_init):
    torch.manual_seed(0)
    param_init.allowing({"weight": "uninitialized"})(BUGS[0].module)


def test_constructor_raises(param_init):
    param_init(nn.Linear, "not a width")


def test_clean_training():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.LayerNorm(32), nn.Linear(32, 1))
    model(torch.randn(4, 16)).pow(2).mean().backward()
'''
CONFTEST = '''
import torch


def pytest_paraminit_build(cls, config):
    torch.manual_seed(0)
    return None
'''
# an unimportable target is a collection error that interrupts the run (9d90384): tests/runtime/test_plugin.py covers it
INI = "[pytest]\nparam_init_targets =\n    buggy_modules\n"
PLUGINS = re.compile(r"^plugins: (.*)$", re.M)
TIMINGS = [
    # the summary line is padded with '=' to the terminal's width around a duration of varying length
    (re.compile(r"^=+ (.*) in \d+\.\d+s( \(\d+:\d\d:\d\d\))? =+$", re.M), r"== \1 in <seconds> =="),
    (re.compile(r"time spent checking: \d+\.\d+ s"), "time spent checking: <seconds>"),
]


def environment(code: Path) -> dict[str, str]:
    """``code`` first on the path, then the inputs; with ``-P`` not the working directory."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), str(INPUTS)])}


def probe(code: Path) -> None:
    run = subprocess.run([sys.executable, "-P", "-c", "import pytest_paraminit; print(pytest_paraminit.__file__)"],
                         env=environment(code), check=True, capture_output=True, text=True)
    if not Path(run.stdout.strip()).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"{code}: imported {run.stdout.strip()} instead: the revision under test was not the one run")


def normalized(text: str, code: Path, suite: Path | None = None) -> str:
    """``text`` without timings, and with the suite's, the environment's, the inputs' and the revision's
    directories as placeholders (in that order: the venv and the inputs may lie inside the revision)."""
    places = [(suite, "<suite>")] if suite else []
    for directory, placeholder in (*places, (Path(sys.prefix), "<venv>"), (INPUTS, "<inputs>"), (code, "<code>")):
        text = text.replace(str(directory.resolve()), placeholder).replace(str(directory), placeholder)
    for pattern, replacement in TIMINGS:
        text = pattern.sub(replacement, text)
    # The header lists plugins in the order their metadata is found on the path, and the working tree
    # holds the editable install's egg-info while a checked-out revision does not.
    return PLUGINS.sub(lambda line: "plugins: " + ", ".join(sorted(line[1].split(", "))), text)


def reports(code: Path) -> dict[str, str]:
    run = subprocess.run([sys.executable, "-P", "-c", REPORTS], env=environment(code), capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"the reports at {code} failed (exit {run.returncode}):\n{run.stderr}")
    found = {}
    for subject, shown in json.loads(run.stdout).items():
        for form, content in shown.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=1, sort_keys=True)
            found[f"{subject} {form}"] = normalized(text, code)
    return found


def pytest_runs(code: Path) -> dict[str, str]:
    """The terminal output of both runs and the report file, from a fresh suite directory."""
    found = {}
    with tempfile.TemporaryDirectory() as scratch:
        suite = Path(scratch)
        (suite / "test_suite.py").write_text(SUITE, encoding="utf-8")
        (suite / "conftest.py").write_text(CONFTEST, encoding="utf-8")
        (suite / "pytest.ini").write_text(INI, encoding="utf-8")
        base = [sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-rA"]
        for name, options in (("with --check-param-init", ["--check-param-init", "--param-init-report=report.json"]),
                              ("without the flag", [])):
            run = subprocess.run(base + options, env=environment(code), cwd=suite, capture_output=True, text=True)
            if run.returncode not in (0, 1):
                raise SystemExit(f"pytest at {code} failed (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
            found[f"pytest {name}: output"] = normalized(run.stdout + run.stderr, code, suite)
        data = json.loads((suite / "report.json").read_text(encoding="utf-8"))
        data.pop("seconds")
        for record in data["reports"]:
            record.pop("seconds")
        found["pytest --param-init-report"] = normalized(json.dumps(data, indent=1, sort_keys=True), code, suite)
    return found


def compare(before: dict[str, str], after: dict[str, str]) -> int:
    differing = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    for name in differing:
        print(f"DIFFERS: {name}")
        diff = difflib.unified_diff((before.get(name) or "").splitlines(), (after.get(name) or "").splitlines(),
                                    "before", "after", lineterm="", n=1)
        print("\n".join(f"  {line}" for line in list(diff)[:40]))
    return len(differing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the revision to compare against (a commit, branch or tag)")
    parser.add_argument("--after", help="a revision instead of the working tree")
    args = parser.parse_args()
    before = checkout(args.before)
    after = checkout(args.after) if args.after else ROOT
    print(f"before: {args.before} ({before}); after: {args.after or 'working tree'} ({after}); inputs: {INPUTS}")
    for code in (before, after):
        probe(code)
    old, new = reports(before), reports(after)
    subjects = {name.rsplit(" ", 1)[0] for name in old}
    print(f"reports: {len(subjects)} (subject, build) pairs, text, colored text and JSON each: "
          + ("identical" if old == new else "DIFFERENT"))
    differing = compare(old, new)
    old, new = pytest_runs(before), pytest_runs(after)
    tests = len(re.findall(r"^(PASSED|FAILED|SKIPPED|ERROR) ", old["pytest with --check-param-init: output"], re.M))
    print(f"pytest: {tests} test outcomes with the flag, the run without it, and the JSON report: "
          + ("identical" if old == new else "DIFFERENT"))
    differing += compare(old, new)
    print("IDENTICAL" if not differing else f"DIFFERENT: {differing} outputs")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
