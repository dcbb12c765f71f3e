"""nanoGPT-style GPT: init_weights covers the linears and embeddings but not the scalar mixing
parameters added later (the value-embedding lambdas, the skip weights, a block's attention gate)."""

import math

import torch
import torch.nn.functional as F
from torch import nn

INITIALIZER = "init_weights"
ARGS = (64, 16, 2)
LEFT_BEHIND = {("GPT", "lambdas"), ("GPT", "skip_weights"), ("Block", "attn_gate")}


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, 4 * dim)
        self.out = nn.Linear(4 * dim, dim)
        self.attn_gate = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        x = x + torch.sigmoid(self.attn_gate) * self.attn(self.ln1(x))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, dim, layers):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.skip_weights = nn.Parameter(torch.ones(layers))
        self.layers = layers

    def init_weights(self):
        self.apply(self._init_weights)
        for block in self.blocks:
            nn.init.normal_(block.out.weight, std=0.02 / math.sqrt(2 * self.layers))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, idx):
        x = self.lambdas[0] * self.wte(idx)
        for i, block in enumerate(self.blocks):
            x = block(x) * self.skip_weights[i]
        return self.lm_head(self.ln_f(x))
