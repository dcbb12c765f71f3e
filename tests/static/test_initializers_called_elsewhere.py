"""An initializer run from another file of the project (issue 12): olmo-core's train module
builds the model on meta and calls ``model.init_weights()``; the transformer's initializer
hands each block to a helper of a third file that calls ``m.init_weights()``. Laid out as a
package on disk and checked through the CLI: the attention's parameter is initialized, while
a parameter its class's called initializer never writes (PIN001) and an initializer nobody
calls (PIN003) are still reported; the cache follows the calling file. Also diffusers' Kolors
encoder: an installed base's methods that never run on the file's models write nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FILES = {
    "olmo/__init__.py": "",
    "olmo/nn/__init__.py": "from .attention import Attention, Gate, Mixer\n",
    "olmo/nn/attention.py": """\
import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.sinks = nn.Parameter(torch.empty(heads))

    def init_weights(self):
        nn.init.normal_(self.sinks, std=0.02)


class Gate(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.scale = nn.Parameter(torch.empty(d))

    def init_weights(self):
        pass


class Mixer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.decay = nn.Parameter(torch.empty(d))

    def _reset_parameters(self):
        nn.init.uniform_(self.decay)
""",
    "olmo/nn/init.py": "def init_attention(m):\n    m.init_weights()\n",
    "olmo/nn/transformer.py": """\
from torch import nn

from . import init as init_method
from .attention import Attention, Gate


class Transformer(nn.Module):
    def __init__(self, d, heads, layers):
        super().__init__()
        self.blocks = nn.ModuleList(Attention(d, heads) for _ in range(layers))
        self.gate = Gate(d)

    def init_weights(self):
        for block in self.blocks:
            init_method.init_attention(block)
        self.gate.init_weights()
""",
    "olmo/train.py": """\
import torch

from .nn.transformer import Transformer


def build(config):
    with torch.device("meta"):
        model = Transformer(config.d, config.heads, config.layers)
    model.to_empty(device="cpu")
    model.init_weights()
    return model
""",
}

ALWAYS = [("olmo/nn/attention.py", 18, "PIN001"), ("olmo/nn/attention.py", 27, "PIN003")]


def lay_out(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def findings(root: Path, *args: str) -> list[tuple[str, int, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "check", "--output-format", "json", "--exit-zero", *args, "."],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = [
        (Path(f["filename"]).resolve().relative_to(root.resolve()).as_posix(), f["location"]["row"], f["code"])
        for f in json.loads(done.stdout)
    ]
    return sorted(found)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_initializer_another_file_calls_on_an_instance_runs(tmp_path: Path, jobs: str) -> None:
    root = lay_out(tmp_path)
    assert findings(root, "--no-cache", "--jobs", jobs) == ALWAYS


def test_the_cache_follows_the_calling_file(tmp_path: Path) -> None:
    root = lay_out(tmp_path)
    assert findings(root) == ALWAYS
    helper = root / "olmo" / "nn" / "init.py"
    helper.write_text("def init_attention(m):\n    return m\n", encoding="utf-8")
    # the transformer's own call of the gate's init_weights() still names the method
    assert findings(root) == ALWAYS
    (root / "olmo" / "nn" / "transformer.py").write_text(
        FILES["olmo/nn/transformer.py"].replace("        self.gate.init_weights()\n", ""), encoding="utf-8"
    )
    (root / "olmo" / "train.py").write_text(FILES["olmo/train.py"].replace("    model.init_weights()\n", ""), encoding="utf-8")
    assert findings(root) == sorted([*ALWAYS, ("olmo/nn/attention.py", 9, "PIN003")])
    (root / "olmo" / "train.py").unlink()  # gone: no crash, the verdict stays
    assert findings(root) == sorted([*ALWAYS, ("olmo/nn/attention.py", 9, "PIN003")])


# diffusers' Kolors text encoder: a raw RMSNorm weight under a transformers PreTrainedModel
# (an installed package) whose _init_weights the subclass overrides with a bare return
KOLORS = """\
import torch
from torch import nn
from transformers import PreTrainedModel


class RMSNorm(torch.nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(normalized_shape, device=device, dtype=dtype))
        self.eps = eps

    def forward(self, x):
        return x * self.weight


class ChatGLMPreTrainedModel(PreTrainedModel):
    def _init_weights(self, module: nn.Module):
        return


class ChatGLMModel(ChatGLMPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.norm = RMSNorm(config.hidden_size)
        self.post_init()
"""


@pytest.mark.parametrize(
    ("override", "expected"),
    [("        return\n", [("kolors/text_encoder.py", 9, "PIN001")]), ("        super()._init_weights(module)\n", [])],
)
def test_an_installed_base_initializer_the_subclass_overrides_writes_nothing(
    tmp_path: Path, override: str, expected: list[tuple[str, int, str]]
) -> None:
    package = tmp_path / "kolors"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "text_encoder.py").write_text(KOLORS.replace("        return\n", override), encoding="utf-8")
    # neither the base's _init_weights (overridden) nor its resize_token_embeddings helper
    # (which writes the new embedding's weight) initializes the norm; super() restores the base's
    assert findings(tmp_path, "--no-cache") == expected
