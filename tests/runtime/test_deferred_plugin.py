"""The deferred path through real pytest runs: the ini key and CLI option, and --param-init-deferred."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent

FIXTURE_TESTS = """
from deferred_models import GPT, CompleteGPT, LlamaBlock

def test_complete(param_init):
    param_init.deferred(CompleteGPT)

def test_forgets_scalars(param_init):
    param_init.deferred(GPT)

def test_explicit_reset_parameters(param_init):
    param_init.deferred(LlamaBlock, initialize="reset_parameters")
"""

# modules a test builds itself: the eager build is clean; on the meta device the RoPE and mask buffers
# are lost, and a block built from modules the test made is not rebuilt
BUILT_IN_TESTS = """
from torch import nn
from deferred_models import CompleteGPT, FixedLlamaBlock, LlamaBlock

def test_llama_block():
    LlamaBlock(16, 2)

def test_fixed_block():
    FixedLlamaBlock(width=16)

def test_gpt():
    CompleteGPT()

def test_container_of_built_modules():
    nn.Sequential(nn.Linear(2, 2), nn.ReLU())
"""


@pytest.fixture
def deferred_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert(HERE)
    return pytester


def test_ini_key_chooses_the_fixtures_initializer(deferred_pytester: pytest.Pytester):
    deferred_pytester.makepyfile(test_models=FIXTURE_TESTS)
    deferred_pytester.makeini("[pytest]\nparam_init_deferred_initializer = init_weights\n")
    result = deferred_pytester.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*paraminit: GPT (deferred, init_weights)*",
        "*[[]uninitialized[]] blocks.0.gate: 16 of 16 elements never written*",
        "*eager: written by zeros in Block.__init__; deferred: never written — GPT.init_weights() does not cover it*",
        "*paraminit: LlamaBlock (deferred, reset_parameters)*",
    ])
    # the CLI option wins over the ini: CompleteGPT has no reset_parameters() for its scalars
    result = deferred_pytester.runpytest("--param-init-deferred-initializer=reset_parameters")
    result.assert_outcomes(failed=3)


def test_unknown_initializer_is_a_usage_error(deferred_pytester: pytest.Pytester):
    deferred_pytester.makepyfile(test_models=FIXTURE_TESTS)
    deferred_pytester.makeini("[pytest]\nparam_init_deferred_initializer = init_weight\n")
    result = deferred_pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown initializer 'init_weight': use one of reset_parameters, *"])
    result = deferred_pytester.runpytest("--param-init-deferred-initializer=nowhere:init")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: initializer 'nowhere:init': cannot import it: *"])


def test_param_init_deferred_builds_every_module_again(deferred_pytester: pytest.Pytester):
    deferred_pytester.makepyfile(test_built=BUILT_IN_TESTS)
    report = deferred_pytester.path / "report.json"
    result = deferred_pytester.runpytest("--param-init-deferred", f"--param-init-report={report}")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*paraminit: LlamaBlock (deferred, reset_parameters)*",
        "*[[]uninitialized[]] rotary.inv_freq: 4 of 4 elements never written (buffer)*",
        "*RotaryEmbedding registers this non-persistent buffer;*",
        "FAILED test_built.py::test_llama_block*",
        "FAILED test_built.py::test_gpt*",
    ])
    titles = {(r["test"], r["module"]) for r in json.loads(report.read_text())["reports"]}
    assert ("test_built.py::test_llama_block", "LlamaBlock (deferred, reset_parameters)") in titles
    assert any(test == "test_built.py::test_llama_block" and title.startswith("LlamaBlock built at")
               for test, title in titles)  # both builds are reported
    assert not any(title.startswith("Sequential (deferred") for _, title in titles)  # holds built modules
    # with init_weights configured, CompleteGPT is ready; modules without that method take reset_parameters
    result = deferred_pytester.runpytest("--param-init-deferred", "--param-init-deferred-initializer=init_weights")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_built.py::test_llama_block*"])


def test_param_init_deferred_checks_target_classes_on_the_meta_device_too(deferred_pytester: pytest.Pytester):
    deferred_pytester.makepyfile(models="""
        import deferred_models

        class Model(deferred_models.CompleteGPT):
            pass

        class Block(deferred_models.LlamaBlock):
            pass
        """)
    deferred_pytester.makeconftest(
        "def pytest_paraminit_build(cls, config):\n"
        "    if cls.__name__ == 'Block':\n"
        "        return cls(width=32, heads=4)\n")
    deferred_pytester.makeini("[pytest]\nparam_init_targets = models\nparam_init_deferred_initializer = init_weights\n")
    deferred_pytester.runpytest().assert_outcomes(passed=2)  # both are clean when built eagerly
    result = deferred_pytester.runpytest("--param-init-deferred")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*paraminit: models.Block (deferred, init_weights)*",
        "*initializer 'init_weights': Block has no init_weights() method; it has reset_parameters*",
    ])
    result = deferred_pytester.runpytest("--param-init-deferred", "--param-init-deferred-initializer=reset_parameters")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*  norm.weight  32 *",  # the hook built it: width 32, head size 8
                                 "*[[]uninitialized[]] rotary.inv_freq: 4 of 4 elements never written (buffer)*"])
