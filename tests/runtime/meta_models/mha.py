"""An encoder layer built on nn.MultiheadAttention, initialized the FSDP way (reset_parameters()
on every submodule): MultiheadAttention has only a private _reset_parameters()."""

import torch
from torch import nn

INITIALIZER = "reset_parameters"
ARGS = (16, 4)
LEFT_BEHIND = {("EncoderLayer", "attn")}


class EncoderLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Linear(dim, dim)
        self.layer_scale = nn.Parameter(torch.full((dim,), 0.1))

    def reset_parameters(self):
        nn.init.constant_(self.layer_scale, 0.1)

    def forward(self, x):
        h = self.norm(x)
        return x + self.layer_scale * self.ff(self.attn(h, h, h, need_weights=False)[0])
