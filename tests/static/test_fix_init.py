"""The synthesized initialization (unsafe fixes of PIN001 and PIN003): spelled the file's
way, indented and ended like the file, refused where it could do harm, and — run with
torch — producing modules whose parameters hold the values ``nn.Linear`` would give."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.fix.apply import fix_source
from ruff_like_rules.rules import ALL_RULES

STABLE = AnalysisSettings(rules=tuple(rule for rule in ALL_RULES if not rule.preview))


def fixed(source: str) -> str:
    outcome = fix_source(textwrap.dedent(source), STABLE, unsafe=True)
    cst.parse_module(outcome.text)
    assert [f.code for f in outcome.remaining if f.code in ("PIN001", "PIN003")] == []
    return outcome.text


def test_spelled_through_the_files_aliases_with_tabs_and_comments() -> None:
    text = fixed(
        """\
        import math as m
        import torch as th
        import torch.nn as tnn


        class Mix(tnn.Module):
        \tdef __init__(self, config):
        \t\tsuper().__init__()
        \t\t# projection
        \t\tself.proj_weight = tnn.Parameter(th.empty(config.hidden_size, config.hidden_size))
        \t\tself.proj_bias = tnn.Parameter(th.empty(config.hidden_size))  # keep me
        \t\tself.offset = tnn.Parameter(th.empty(config.hidden_size))
        \t\tself.register_buffer("steps", th.empty(1))
        """
    )
    assert text.endswith(
        '\t\tself.register_buffer("steps", th.empty(1))\n'
        "\t\tself.reset_parameters()\n"
        "\n"
        "\tdef reset_parameters(self):\n"
        "\t\ttnn.init.kaiming_uniform_(self.proj_weight, a=m.sqrt(5))\n"
        "\t\tfan_in, _ = tnn.init._calculate_fan_in_and_fan_out(self.proj_weight)\n"
        "\t\tbound = 1 / m.sqrt(fan_in) if fan_in > 0 else 0\n"
        "\t\ttnn.init.uniform_(self.proj_bias, -bound, bound)\n"
        "\t\ttnn.init.zeros_(self.offset)\n"
        "\t\ttnn.init.zeros_(self.steps)\n"
    )
    assert "# projection" in text and "# keep me" in text and "import math\n" not in text


def test_lines_join_an_initializer_init_already_calls_last() -> None:
    text = fixed(
        """\
        import torch
        from torch import nn

        class Half(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(n, n))
                self.other = nn.Parameter(torch.empty(n, n))
                self.reset_parameters()

            def reset_parameters(self):
                nn.init.orthogonal_(self.weight)
        """
    )
    assert text.count("self.reset_parameters()") == 1
    assert text.endswith(
        "        nn.init.orthogonal_(self.weight)\n        nn.init.kaiming_uniform_(self.other, a=math.sqrt(5))\n"
    )


def test_initializer_taking_a_module_is_applied() -> None:
    text = fixed(
        """\
        import torch
        from torch import nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.token = nn.Parameter(torch.empty(1, 8))

            def _init_weights(self, module):
                nn.init.normal_(self.token, std=0.02)
        """
    )
    assert "        self.token = nn.Parameter(torch.empty(1, 8))\n        self.apply(self._init_weights)\n" in text


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            """\
            import torch
            from torch import nn

            class Wide(nn.Linear):
                def __init__(self, n):
                    super().__init__(n, n)
                    self.extra = nn.Parameter(torch.empty(n, n))
            """,
            id="base-from-elsewhere-may-define-reset_parameters",
        ),
        pytest.param(
            """\
            import torch
            from torch import nn

            class Base(nn.Module):
                def reset_parameters(self, scale):
                    pass

            class Child(Base):
                def __init__(self, n):
                    super().__init__()
                    self.extra = nn.Parameter(torch.empty(n, n))
            """,
            id="a-new-reset_parameters-would-override-the-base",
        ),
        pytest.param(
            """\
            import torch
            from torch import nn

            class Early(nn.Module):
                def __init__(self, n):
                    super().__init__()
                    self.w = nn.Parameter(torch.empty(n, n))
                    return None
            """,
            id="init-ends-in-return",
        ),
    ],
)
def test_no_fix_where_it_could_do_harm(source: str) -> None:
    findings = analyze_source(textwrap.dedent(source), STABLE)
    assert [f.code for f in findings] == ["PIN001"]
    assert findings[0].fix is None


MODEL = """\
import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n_in, n_out, shape):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n_out, n_in))
        self.bias = nn.Parameter(torch.empty(n_out))
        self.scale = nn.Parameter(torch.empty(n_out))
        self.table = nn.Parameter(torch.empty(shape))


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))

    def reset_parameters(self):
        nn.init.eye_(self.weight)
"""

CHECK = """\
import math, sys, torch
sys.path.insert(0, sys.argv[1])
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
from model import Affine, Gate
affine = Affine(64, 32, (16, 16))
bound = 1 / math.sqrt(64)
assert affine.weight.abs().max() <= bound * 1.0001, "kaiming_uniform(a=sqrt(5)) gives +-1/sqrt(fan_in)"
assert affine.weight.std() > bound / 3
assert affine.bias.abs().max() <= bound and affine.bias.std() > 0
assert torch.equal(affine.scale, torch.ones(32))
assert affine.table.abs().max() <= 1 / math.sqrt(16) * 1.0001
assert torch.equal(Gate(5).weight, torch.eye(5))
print("ok")
"""


def test_fixed_modules_hold_the_values_nn_linear_would_give(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    (tmp_path / "model.py").write_text(fixed(MODEL))
    done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
