# paraminit-test: select=PIN007
"""Initializers that write everything __init__ gives a value, in the ways real code bases do."""

import torch
from torch import nn
from torch.nn.utils import weight_norm
from transformers import PreTrainedModel


def materialize(model_cls, *args):
    with torch.device("meta"):
        model = model_cls(*args)
    return model.to_empty(device="cpu")


class Loop(nn.Module):
    """A loop over self.parameters() writes every parameter; buffers are re-registered."""

    def __init__(self, n):
        super().__init__()
        self.n = n
        self.gain = nn.Parameter(torch.ones(n))
        self.table = nn.Parameter(torch.randn(n, n))
        self.register_buffer("positions", torch.arange(n), persistent=False)

    def reset_parameters(self):
        for p in self.parameters():
            nn.init.normal_(p, std=0.02)
        self.register_buffer("positions", torch.arange(self.n), persistent=False)


class Rope(nn.Module):
    """The buffer is recomputed through a helper the initializer calls."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.register_buffer("inv_freq", self._compute(), persistent=False)

    def _compute(self):
        return 1.0 / (10000 ** (torch.arange(0, self.dim, 2).float() / self.dim))

    def reset_parameters(self):
        self._set()

    def _set(self):
        self.inv_freq.copy_(self._compute())


class Vocoder(nn.Module):
    """Weight-normalized conv written through its weight; the attention re-initialized."""

    def __init__(self, c):
        super().__init__()
        self.conv = weight_norm(nn.Conv1d(c, c, 3))
        self.attn = nn.MultiheadAttention(c, 1)
        self.caller_tensor = None

    def reset_parameters(self):
        with torch.no_grad():
            self.conv.weight = nn.init.normal_(torch.empty_like(self.conv.weight), std=0.02)
        self.attn._reset_parameters()


class PassedIn(nn.Module):
    """A tensor the caller hands in, and raw memory the initializer fills."""

    def __init__(self, table, n):
        super().__init__()
        self.table = nn.Parameter(table)
        self.weight = nn.Parameter(torch.empty(n, n))

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.weight)


class HFModel(PreTrainedModel):
    """_init_weights applied to every module writes the scalar under isinstance; a Hugging
    Face model keeps its buffers (init_empty_weights() does not put them on meta)."""

    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))
        self.register_buffer("position_ids", torch.arange(d).expand((1, -1)), persistent=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(std=0.02)
        if isinstance(module, HFModel):
            module.logit_scale.data.fill_(2.6592)
