"""PIN005/PIN006/PIN105 on realistic module code: exact codes and lines, fast and full paths.

Each case is a small model file; ``# <-`` marks nothing, the expected (line, code) pairs are
listed beside it. Both paths (prefilter on and off) must give exactly those findings.
"""

from __future__ import annotations

import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.engine.diagnostics import Applicability
from ruff_like_rules.engine.settings import AnalysisSettings
from ruff_like_rules.fix.apply import apply_edits
from ruff_like_rules.rules import rule_by_code

RULES = tuple(rule_by_code(code) for code in ("PIN005", "PIN006", "PIN105"))

CASES = {
    "randn_requires_grad_th_alias": (
        """import torch as th

class Gate(th.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.alpha = th.randn(n, requires_grad=True)

    def forward(self, x):
        return x * self.alpha
""",
        [(6, "PIN005")],
    ),
    "parameter_wrapping_requires_grad_is_fine": (
        """import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.alpha = nn.Parameter(torch.randn(n, requires_grad=True))
        self.beta = nn.Parameter(torch.zeros(n), requires_grad=True)
""",
        [],
    ),
    "requires_grad_method_through_local": (
        """import torch
from torch import nn

class Prompt(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        tokens = torch.zeros(n, d)
        tokens.requires_grad_()
        self.tokens = tokens
""",
        [(9, "PIN005")],
    ),
    "requires_grad_attribute_on_self": (
        """import torch
import torch.nn as nn

class Temperature(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = torch.ones(1) * 1.5
        self.t.requires_grad = True
""",
        [(7, "PIN005")],
    ),
    "variable_requires_grad": (
        """import torch
from torch.autograd import Variable
from torch import nn

class Old(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.h0 = Variable(torch.zeros(1, n), requires_grad=True)
""",
        [(8, "PIN005")],
    ),
    "requires_grad_outside_modules_and_frozen": (
        """import torch
from torch import nn

class Attack:
    def __init__(self, x):
        self.delta = torch.zeros_like(x, requires_grad=True)

class Frozen(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.table = torch.randn(n, requires_grad=False)

    def forward(self, x):
        x = x.clone().requires_grad_()
        self.saliency_input = x
        return x
""",
        [],
    ),
    "module_list_literal_from_torch_nn_import": (
        """from torch.nn import Module, Linear, ReLU

class MLP(Module):
    def __init__(self, d):
        super().__init__()
        self.layers = [Linear(d, d), ReLU(), Linear(d, 1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
""",
        [(6, "PIN006")],
    ),
    "same_file_block_in_comprehension_transitive": (
        """import torch.nn as nn

class Base(nn.Module):
    pass

class Block(Base):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

class Tower(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = [Block(d) for _ in range(n)]
""",
        [(14, "PIN006")],
    ),
    "append_in_loop_to_empty_list": (
        """import torch
from torch import nn

class Heads(nn.Module):
    def __init__(self, d, tasks):
        super().__init__()
        self.heads = []
        for _ in tasks:
            self.heads.append(nn.Linear(d, 1))
""",
        [(7, "PIN006")],
    ),
    "dict_item_assignment": (
        """from torch import nn

class MultiTask(nn.Module):
    def __init__(self, d, tasks):
        super().__init__()
        self.heads = {}
        for name in tasks:
            self.heads[name] = nn.Linear(d, 1)
""",
        [(6, "PIN006")],
    ),
    "parameter_list_comprehension": (
        """import torch
from torch import nn

class Mixture(nn.Module):
    def __init__(self, k, d):
        super().__init__()
        self.means = [nn.Parameter(torch.randn(d)) for _ in range(k)]
""",
        [(7, "PIN006")],
    ),
    "registered_elsewhere_and_data_lists": (
        """from torch import nn

class Net(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.sizes = [d] * n
        self.names = ["q", "k", "v"]
        self.blocks = []
        for i in range(n):
            block = nn.Linear(d, d)
            self.add_module(f"block{i}", block)
            self.blocks.append(block)
        self.stack = [nn.Linear(d, d) for _ in range(n)]
        self.body = nn.Sequential(*self.stack)
        self.converted = []
        self.converted.append(nn.ReLU())
        self.converted = nn.ModuleList(self.converted)
""",
        [],
    ),
    "unknown_classes_from_other_packages": (
        """from torch import nn
from timm.layers import Mlp
from .blocks import Block

class Net(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.mlps = [Mlp(d) for _ in range(n)]
        self.blocks = [Block(d) for _ in range(n)]
""",
        [],
    ),
    "container_outside_construction": (
        """from torch import nn

class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        self.trace = [nn.Identity()]
        return self.fc(x)
""",
        [],
    ),
    "helper_called_from_init_and_tuple": (
        """import torch
import torch.nn as nn

class Encoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self._build(d)

    def _build(self, d):
        self.pair = [nn.Conv1d(d, d, 3), nn.Conv1d(d, d, 5)]
        self.scale = torch.full((d,), 0.1, requires_grad=True)
""",
        [(10, "PIN006"), (11, "PIN005")],
    ),
    "not_a_module_class": (
        """from torch import nn

class Config:
    def __init__(self, d):
        self.layers = [nn.Linear(d, d)]
""",
        [],
    ),
    "position_table_plain_attribute_preview": (
        """import math
import torch
from torch import nn

class PositionalEncoding(nn.Module):
    def __init__(self, d, max_len=512):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe = torch.zeros(max_len, d)
        pe[:, 0::2] = torch.sin(position * div)
        self.pe = pe
        self.scale = math.sqrt(d)

    def forward(self, x):
        return x * self.scale + self.pe[: x.size(0)]
""",
        [(12, "PIN105")],
    ),
    "buffer_registered_is_fine_preview": (
        """import torch
from torch import nn

class Causal(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("mask", torch.tril(torch.ones(n, n)))
        self.cache = torch.zeros(n)

    def forward(self, x):
        return x.masked_fill(self.mask == 0, 0.0)
""",
        [],
    ),
}


@pytest.mark.parametrize("prefilter", [True, False], ids=["fast", "full"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_findings(name: str, prefilter: bool):
    source, expected = CASES[name]
    findings = analyze_source(source, AnalysisSettings(rules=RULES, prefilter=prefilter))
    assert [(f.start.line, f.code) for f in findings] == expected


def test_fixes_wrap_in_the_files_own_spelling():
    source, _ = CASES["helper_called_from_init_and_tuple"]
    findings = analyze_source(source, AnalysisSettings(rules=RULES))
    edits = [e for f in findings if f.fix and f.fix.applicability == Applicability.UNSAFE for e in f.fix.edits]
    fixed = apply_edits(source, edits)
    assert "self.pair = nn.ModuleList([nn.Conv1d(d, d, 3), nn.Conv1d(d, d, 5)])" in fixed
    assert "self.scale = nn.Parameter(torch.full((d,), 0.1))" in fixed
    assert analyze_source(fixed, AnalysisSettings(rules=RULES)) == []


def test_mixed_container_is_flagged_without_fix():
    source = """from torch import nn

class Net(nn.Module):
    def __init__(self, d, extra):
        super().__init__()
        self.parts = [nn.Linear(d, d), extra]
"""
    (finding,) = analyze_source(source, AnalysisSettings(rules=RULES))
    assert (finding.code, finding.start.line, finding.fix) == ("PIN006", 6, None)
