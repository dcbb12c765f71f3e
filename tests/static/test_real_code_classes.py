"""False-alarm and missed-bug classes that real libraries showed (issue 12), each laid out as a
package on disk and checked through the CLI: a closure returned by an initializer factory, a
parameter attached to another module which is then reset, a base whose own base cannot be
read, a local rebound in the other arm of an ``if``, buffers registered anew on the first
update, plain lists of stateless modules of the same file, storage-sharing wrappers before a
loop that fills the tensor, and PIN002's fix no longer applied unasked. The cache, ``--jobs``
and the fast path against the full parse give the same findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ruff_like_rules.engine.analyze import analyze_source
from ruff_like_rules.workspace.config import Overrides, Resolver

FILES = {
    "pkg/__init__.py": "",
    # timm's CondConv2d: reset_parameters() writes through closures a same-file factory returns
    "pkg/layers/cond_conv.py": """\
import math
from functools import partial

import torch
from torch import nn


def get_expert_initializer(initializer, num_experts, expert_shape):
    def expert_initializer(weight):
        for i in range(num_experts):
            initializer(weight[i].view(expert_shape))

    return expert_initializer


def get_shape_reader(num_experts):
    def reader(weight):
        return weight.shape[0] == num_experts

    return reader


class CondConv(nn.Module):
    def __init__(self, channels, kernel, num_experts=4):
        super().__init__()
        self.num_experts = num_experts
        self.weight_shape = (channels, kernel, kernel)
        self.weight = nn.Parameter(torch.Tensor(num_experts, channels * kernel * kernel))
        self.bias = nn.Parameter(torch.Tensor(num_experts, channels))
        self.gate = nn.Parameter(torch.Tensor(num_experts, channels))
        self.reset_parameters()

    def reset_parameters(self):
        init_weight = get_expert_initializer(partial(nn.init.kaiming_uniform_, a=math.sqrt(5)), self.num_experts, self.weight_shape)
        init_weight(self.weight)
        init_bias = get_expert_initializer(partial(nn.init.uniform_, a=-0.1, b=0.1), self.num_experts, (self.weight_shape[0],))
        init_bias(self.bias)
        check = get_shape_reader(self.num_experts)
        check(self.gate)
""",
    # segmentation_models_pytorch's patch_first_conv: a new weight, then the conv's own reset
    "pkg/encoders/_utils.py": """\
import torch
from torch import nn


def patch_first_conv(model, new_in_channels, pretrained=True):
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            break
    weight = module.weight.detach()
    module.in_channels = new_in_channels
    if not pretrained:
        module.weight = nn.parameter.Parameter(
            torch.Tensor(module.out_channels, new_in_channels // module.groups, *module.kernel_size)
        )
        module.reset_parameters()
    elif new_in_channels == 1:
        new_weight = weight.sum(1, keepdim=True)
        module.weight = nn.parameter.Parameter(new_weight)
    else:
        new_weight = torch.Tensor(module.out_channels, new_in_channels // module.groups, *module.kernel_size)
        for i in range(new_in_channels):
            new_weight[:, i] = weight[:, i % 3]
        new_weight = new_weight * (3 / new_in_channels)
        module.weight = nn.parameter.Parameter(new_weight)


class Stem(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)
        self.conv.weight = nn.Parameter(torch.empty(width, 4, 3, 3))
        self.conv.reset_parameters()
        self.proj = nn.Linear(width, width)
        self.proj.weight = nn.Parameter(torch.empty(width, width))
""",
    # a base whose own base comes from a package that is not installed: its init_weights()
    "pkg/layers/__init__.py": "from .base import Backbone\n",
    "pkg/layers/base.py": """\
from torch import nn
from vendor_framework.modeling import FrameworkModule


class Backbone(FrameworkModule):
    def __init__(self, config):
        super().__init__(config)
        self.stem = nn.Linear(config.width, config.width)
""",
    "pkg/model.py": """\
import torch
from torch import nn

from .layers import Backbone


class Classifier(Backbone):
    def __init__(self, config):
        super().__init__(config)
        self.cls_token = nn.Parameter(torch.empty(1, 1, config.width))
        self.init_weights()


class Pooler(Backbone):
    def __init__(self, config):
        super().__init__(config)
        self.query = nn.Parameter(torch.empty(1, config.width))
""",
    # vector-quantize-pytorch: statistics registered anew on the first update
    "pkg/codebook.py": """\
import torch
from torch import nn


class Codebook(nn.Module):
    def __init__(self, num_codebooks, dim):
        super().__init__()
        self.register_buffer("codebook_mean_needs_init", torch.tensor(True))
        self.register_buffer("codebook_mean", torch.empty(num_codebooks, 1, dim))

    def update_with_decay(self, buffer_name, new_value, decay):
        old_value = getattr(self, buffer_name)
        needs_init = getattr(self, buffer_name + "_needs_init", False)
        if needs_init:
            self.register_buffer(buffer_name + "_needs_init", torch.tensor(False))
        if needs_init:
            self.register_buffer(buffer_name, new_value.detach())
            return
        self.register_buffer(buffer_name, old_value * decay + new_value.detach() * (1 - decay))

    def forward(self, embed):
        self.update_with_decay("codebook_mean", embed.mean(1, keepdim=True), 0.99)
        return embed - self.codebook_mean
""",
    # stanza's biaffine scorer: the only owner of the layer zeroes its raw weight and bias
    "pkg/biaffine.py": """\
import torch
from torch import nn


class PairwiseBilinear(nn.Module):
    def __init__(self, n1, n2, out):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n1, n2, out))
        self.bias = nn.Parameter(torch.Tensor(out))

    def forward(self, a, b):
        return torch.einsum("nli,ijo,nmj->nlmo", a, self.weight, b) + self.bias


class PairwiseBiaffineScorer(nn.Module):
    def __init__(self, n1, n2, out):
        super().__init__()
        self.W_bilin = PairwiseBilinear(n1 + 1, n2 + 1, out)
        self.W_bilin.weight.data.zero_()
        self.W_bilin.bias.data.zero_()
""",
    # an initializer applied to every submodule and to self, and lists registered one by one
    "pkg/heads.py": """\
import torch
from torch import nn


class Inner(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(torch.empty(n, n))


class Outer(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.inner = Inner(n)
        self.query = nn.Parameter(torch.empty(n))
        self.apply(self._init_weights)

    def _init_weights(self, m):
        for p in m.parameters():
            nn.init.normal_(p, std=0.02)


class Heads(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.heads = []
        for i in range(n):
            self.heads.append(nn.Linear(n, n))
            self.add_module(f"head{i}", self.heads[-1])
""",
    # speechbrain's SpeedPerturb: resamplers that hold nothing in a plain list
    "pkg/augment.py": """\
import torch
import torchaudio
from torch import nn


class Resample(nn.Module):
    def __init__(self, orig_freq, new_freq):
        super().__init__()
        self.orig_freq = orig_freq
        self.new_freq = new_freq
        self.resampler = torchaudio.transforms.Resample(orig_freq=orig_freq, new_freq=new_freq)

    def forward(self, waveforms):
        self.resampler.to(waveforms.device)
        return self.resampler(waveforms)


class Crop(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.size = size
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(x[..., : self.size])


class TokenDrop(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.rand_like(x) > self.p)


class SpeedPerturb(nn.Module):
    def __init__(self, orig_freq, speeds=(90, 100, 110)):
        super().__init__()
        self.resamplers = []
        for speed in speeds:
            self.resamplers.append(Resample(orig_freq * speed // 100, orig_freq))
        self.crops = [Crop(size) for size in (8, 16)]
        self.drops = [TokenDrop(p) for p in (0.1, 0.2)]
""",
    # fairseq's data utilities: a storage-sharing wrapper before the loop that fills it
    "pkg/data.py": """\
import torch
from torch.autograd import Variable


def collate(values, width):
    batch = Variable(torch.FloatTensor(len(values), width))
    for i, value in enumerate(values):
        batch.data[i].copy_(value)
    return batch


def moved(values, width, device):
    batch = torch.FloatTensor(len(values), width).to(device)
    for i, value in enumerate(values):
        batch[i].copy_(value)
    return batch


def scores(n):
    total = Variable(torch.FloatTensor(n, n))
    return total.sum()
""",
}

EXPECTED = [
    ("pkg/augment.py", 46, "PIN006"),  # TokenDrop reads self.training: eval() must reach it
    ("pkg/data.py", 20, "PIN002"),  # read first: the wrapper does not write it
    ("pkg/encoders/_utils.py", 34, "PIN001"),  # attached to proj, which is never reset
    ("pkg/layers/cond_conv.py", 30, "PIN001"),  # the shape reader's closure writes nothing
    ("pkg/model.py", 17, "PIN001"),  # Pooler runs no initializer at all
]


def lay_out(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "check", *args], cwd=root, capture_output=True, text=True, timeout=120
    )


def findings(root: Path, *args: str) -> list[tuple[str, int, str]]:
    done = cli(root, "--output-format", "json", "--exit-zero", *args, ".")
    assert done.returncode == 0, done.stderr
    found = [
        (Path(f["filename"]).resolve().relative_to(root.resolve()).as_posix(), f["location"]["row"], f["code"])
        for f in json.loads(done.stdout)
    ]
    return sorted(found)


def test_each_class_through_the_cli(tmp_path: Path) -> None:
    assert findings(lay_out(tmp_path), "--no-cache") == EXPECTED


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cache_and_jobs_follow_the_base_file(tmp_path: Path, jobs: str) -> None:
    root = lay_out(tmp_path)
    assert findings(root, "--jobs", jobs) == EXPECTED
    assert findings(root, "--jobs", jobs) == EXPECTED  # warm
    # the base now derives from nn.Module and defines init_weights(), which writes nothing:
    # Classifier's token is raw again
    base = root / "pkg" / "layers" / "base.py"
    base.write_text(
        base.read_text(encoding="utf-8")
        .replace("from vendor_framework.modeling import FrameworkModule\n", "")
        .replace("FrameworkModule", "nn.Module")
        .replace("super().__init__(config)", "super().__init__()")
        + "\n    def init_weights(self):\n        nn.init.normal_(self.stem.weight)\n",
        encoding="utf-8",
    )
    assert findings(root, "--jobs", jobs) == sorted([*EXPECTED, ("pkg/model.py", 10, "PIN001")])
    base.unlink()  # gone: the base is opaque again, nothing crashes
    assert findings(root, "--jobs", jobs) == sorted(e for e in EXPECTED if e[0] != "pkg/model.py")


def test_the_fast_path_agrees_with_the_full_parse(tmp_path: Path) -> None:
    root = lay_out(tmp_path)
    resolver = Resolver(overrides=Overrides(), cwd=root)
    for name in FILES:
        path = root / name
        settings = resolver.settings_for(path)
        fast = analyze_source(path.read_text(encoding="utf-8"), settings, origin=path)
        full = analyze_source(path.read_text(encoding="utf-8"), settings.__class__(**{**vars(settings), "prefilter": False}), origin=path)
        assert [(f.code, f.start.line, f.message) for f in fast] == [(f.code, f.start.line, f.message) for f in full], name


def test_the_pin002_fix_is_applied_only_when_unsafe_fixes_are_asked_for(tmp_path: Path) -> None:
    root = lay_out(tmp_path)
    data = root / "pkg" / "data.py"
    before = data.read_text(encoding="utf-8")
    fixed = cli(root, "--no-cache", "--fix", "--select", "PIN002", "pkg/data.py")
    assert fixed.returncode == 1 and "PIN002" in fixed.stdout  # still reported: the garbage is still read
    assert data.read_text(encoding="utf-8") == before
    cli(root, "--no-cache", "--fix", "--unsafe-fixes", "--select", "PIN002", "pkg/data.py")
    assert "Variable(torch.empty(n, n, dtype=torch.float32))" in data.read_text(encoding="utf-8")


SRC_BASE = """\
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()

    def reset_parameters(self):
        for p in self.parameters():
            nn.init.normal_(p, std=0.02)
"""

SRC_USER = """\
import torch
from torch import nn
from mylib.blocks import Block


class Head(Block):
    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(torch.empty(n, n))
        self.reset_parameters()


class Tower(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.blocks = [Head(n) for _ in range(2)]
"""


@pytest.mark.parametrize(("directory", "setting"), [("src", None), ("lib", 'src = ["lib"]\n')])
def test_the_src_setting_places_first_party_packages(tmp_path: Path, directory: str, setting: str | None) -> None:
    """A script outside the package imports it absolutely: the index finds it under ``src``
    (``.`` and ``src`` by default, as Ruff's), so the inherited initializer and the module
    ancestry of ``Head`` are seen."""
    package = tmp_path / directory / "mylib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "blocks.py").write_text(SRC_BASE, encoding="utf-8")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "train.py").write_text(SRC_USER, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.paraminit]\n" + (setting or ""), encoding="utf-8")
    assert findings(tmp_path, "--no-cache") == [("scripts/train.py", 16, "PIN006")]
    (tmp_path / "pyproject.toml").write_text('[tool.paraminit]\nsrc = ["elsewhere"]\n', encoding="utf-8")
    # not found: the base is opaque, so its reset_parameters() may do anything, and Head is no known module
    assert findings(tmp_path, "--no-cache") == []
