"""A model correct on every path: eager, reset_parameters() and init_weights() all write every
parameter and buffer (the rotary table and causal mask are recomputed by the initializer)."""

import torch
from torch import nn

INITIALIZER = "init_weights"
ARGS = (16, 8)
LEFT_BEHIND: set = set()


class Attention(nn.Module):
    def __init__(self, dim, length):
        super().__init__()
        self.dim, self.length = dim, length
        self.qkv = nn.Linear(dim, 3 * dim)
        self.temperature = nn.Parameter(torch.tensor(1.0))
        self.register_buffer("inv_freq", self._inv_freq(), persistent=False)
        self.register_buffer("mask", torch.tril(torch.ones(length, length, dtype=torch.bool)), persistent=False)

    def _inv_freq(self):
        return 1.0 / (10000 ** (torch.arange(0, self.dim, 2).float() / self.dim))

    def init_weights(self):
        nn.init.trunc_normal_(self.qkv.weight, std=0.02)
        nn.init.zeros_(self.qkv.bias)
        with torch.no_grad():
            self.temperature.fill_(1.0)
            self.inv_freq.copy_(self._inv_freq())
            self.mask.copy_(torch.tril(torch.ones(self.length, self.length, dtype=torch.bool)))

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = (q @ k.transpose(-1, -2)) * self.temperature * self.inv_freq.sum()
        return scores.masked_fill(~self.mask[: x.shape[1], : x.shape[1]], float("-inf")).softmax(-1) @ v
