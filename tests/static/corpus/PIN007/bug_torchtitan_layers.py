# paraminit-test: select=PIN007
"""torchtitan-style layers: each module has init_weights(), run after to_empty(); the ones below
forget what __init__ computed."""

import torch
from torch import nn


def build(config):
    with torch.device("meta"):
        model = Transformer(config)
    model.to_empty(device="cuda")
    model.init_weights()
    return model


class FeedForward(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
        self.expert_bias = nn.Parameter(torch.zeros(hidden))  # expect: PIN007

    def init_weights(self, init_std):
        nn.init.trunc_normal_(self.w1.weight, mean=0.0, std=0.02)
        nn.init.trunc_normal_(self.w2.weight, mean=0.0, std=init_std)


class Attention(nn.Module):
    def __init__(self, dim, max_len):
        super().__init__()
        self.wqkv = nn.Linear(dim, 3 * dim)
        self.sinks = nn.Parameter(torch.empty(8))
        nn.init.normal_(self.sinks, std=0.02)
        self.register_buffer(  # expect: PIN007
            "causal", torch.tril(torch.ones(max_len, max_len)), persistent=False
        )
        self.register_buffer("cache", None, persistent=False)

    def init_weights(self, init_std):
        for linear in (self.wqkv,):
            nn.init.trunc_normal_(linear.weight, std=init_std)
        self._init_sinks()

    def _init_sinks(self):
        nn.init.normal_(self.sinks, std=0.02)


class Transformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layers = nn.ModuleList([Attention(config.dim, config.max_len) for _ in range(config.n_layers)])
        self.norm_scale = nn.Parameter(torch.ones(config.dim))  # expect: PIN007
        self.temperature = nn.Parameter(torch.tensor(1.0))

    def init_weights(self):
        for layer in self.layers:
            layer.init_weights(0.02)
        with torch.no_grad():
            self.temperature.fill_(1.0)
