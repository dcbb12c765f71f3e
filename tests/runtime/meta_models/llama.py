"""Llama-style block (torchtitan layout): every module has init_weights(); the rotary inv_freq
buffer is computed in __init__ and never recomputed, so to_empty() loses it."""

import torch
import torch.nn.functional as F
from torch import nn

INITIALIZER = "init_weights"
ARGS = (32, 4)
LEFT_BEHIND = {("Rotary", "inv_freq")}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def init_weights(self):
        nn.init.ones_(self.weight)

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Rotary(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def init_weights(self):
        pass  # nothing learnable here, or so it seemed

    def forward(self, x):
        t = torch.arange(x.shape[-2], dtype=self.inv_freq.dtype)
        freqs = torch.outer(t, self.inv_freq)
        return torch.cat([freqs.cos(), freqs.sin()], dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm = RMSNorm(dim)
        self.rope = Rotary(dim // heads)
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def init_weights(self, init_std=0.02):
        self.norm.init_weights()
        self.rope.init_weights()
        nn.init.trunc_normal_(self.wqkv.weight, std=0.02)
        nn.init.trunc_normal_(self.wo.weight, std=init_std)

    def forward(self, x):
        h = self.norm(x)
        q, k, v = self.wqkv(h).chunk(3, dim=-1)
        angles = self.rope(q)
        return x + self.wo(F.scaled_dot_product_attention(q + angles.sum() * 0, k, v))
