"""A loop over ``module.parameters()`` inside ``isinstance(module, X)`` writes the parameters
of X (and of what X holds), not those of every module: a framework base in an installed
package (Hugging Face's ``_init_weights`` with its ``nn.LSTM`` branch) does not hide a raw
parameter of the project's own module. Through the command line, the base read from
``sys.path`` through an ``__init__`` re-export, the model a real package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FRAMEWORK = """\
from hub_client_not_installed import HubMixin
from torch import nn
from torch.nn import init


class PreTrainedBase(nn.Module, HubMixin):
    def __init__(self, config):
        super().__init__()
        self.config = config

    def post_init(self):
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            init.normal_(module.weight, std=0.02)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif {dispatch}:
            for name, param in module.named_parameters({arguments}):
                if "weight" in name:
                    init.xavier_uniform_(param)
                else:
                    init.zeros_(param)
"""

MODEL = """\
import torch
from torch import nn
from fwk import PreTrainedBase


class SegmentEmbeddings(nn.Module):
    def __init__(self, n, dim):
        super().__init__()
        self.segment_bias = nn.Parameter(torch.empty(n, dim))

    def forward(self, segments):
        return self.segment_bias[segments]


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.segments = SegmentEmbeddings(2, dim)
        self.proj = nn.Linear(dim, dim)


class MyPreTrainedModel(PreTrainedBase):
    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)


class Model(MyPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.block = Block(config.dim)
        self.rnn = nn.LSTM(config.dim, config.dim)
        self.post_init()
"""


def layout(root: Path, dispatch: str, arguments: str = "") -> tuple[Path, Path]:
    """``site/fwk`` (installed-package-like, re-exported from ``fwk/__init__.py``) and the
    project's package ``proj/model/`` (``__init__.py`` re-exports ``.modeling``)."""
    framework = root / "site" / "fwk"
    framework.mkdir(parents=True)
    (framework / "__init__.py").write_text("from .modeling_utils import PreTrainedBase\n", encoding="utf-8")
    (framework / "modeling_utils.py").write_text(FRAMEWORK.format(dispatch=dispatch, arguments=arguments), encoding="utf-8")
    package = root / "proj" / "model"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .modeling import Model\n", encoding="utf-8")
    (package / "modeling.py").write_text(MODEL, encoding="utf-8")
    return root / "site", root / "proj"


def check(site: Path, project: Path) -> list[tuple[str, int, str]]:
    """``paraminit check`` of the project, the framework found on the interpreter's path."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff_like_rules", "check", "--no-cache", "--output-format", "json", "--exit-zero", "."],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])},
    )
    assert done.returncode == 0, done.stderr
    return sorted(
        (Path(f["filename"]).relative_to(project).as_posix(), f["location"]["row"], f["code"]) for f in json.loads(done.stdout)
    )


RAW_SEGMENTS = [("model/modeling.py", 9, "PIN001")]


@pytest.mark.parametrize(
    ("dispatch", "arguments", "expected"),
    [
        # torch's own leaf module: its parameters are all the loop reaches
        ("isinstance(module, nn.LSTM)", "", RAW_SEGMENTS),
        ("isinstance(module, (nn.LSTM, nn.GRU))", "", RAW_SEGMENTS),
        # not recursing: only the project's Block's own parameters (it has none itself)
        ("isinstance(module, Block)", "recurse=False", RAW_SEGMENTS),
        # recursing into a project class: its submodules' parameters are written too
        ("isinstance(module, Block)", "", []),
        # a container of anything, or no guard at all: every module's parameters
        ("isinstance(module, nn.Module)", "", []),
        ("isinstance(module, nn.LSTM) or len(name) > 0", "", []),
        ("True", "", []),
    ],
)
def test_a_guarded_parameter_loop_writes_only_the_guarded_classes(
    tmp_path: Path, dispatch: str, arguments: str, expected: list[tuple[str, int, str]]
) -> None:
    site, project = layout(tmp_path, dispatch.replace("name)", "type(module).__name__)"), arguments)
    assert check(site, project) == expected


def test_the_guard_travels_into_a_helper_given_the_loop_variable(tmp_path: Path) -> None:
    site, project = layout(tmp_path, "isinstance(module, nn.LSTM)")
    modeling = site / "fwk" / "modeling_utils.py"
    text = modeling.read_text(encoding="utf-8")
    text = text.replace("init.xavier_uniform_(param)", "_fill(param)") + "\n\ndef _fill(tensor):\n    init.xavier_uniform_(tensor)\n"
    modeling.write_text(text, encoding="utf-8")
    assert check(site, project) == RAW_SEGMENTS
