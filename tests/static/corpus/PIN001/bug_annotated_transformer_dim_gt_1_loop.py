import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaleNormResidual(nn.Module):
    def __init__(self, size, dropout):
        super().__init__()
        self.g = nn.Parameter(torch.Tensor(1))  # expect: PIN001
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, sublayer):
        norm = self.g * x / x.norm(dim=-1, keepdim=True).clamp(min=1e-5)
        return x + self.dropout(sublayer(norm))


class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.1):
        super().__init__()
        self.w_1 = nn.Parameter(torch.Tensor(d_ff, d_model))
        self.w_2 = nn.Parameter(torch.Tensor(d_model, d_ff))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return F.linear(self.dropout(F.relu(F.linear(x, self.w_1))), self.w_2)


class EncoderLayer(nn.Module):
    def __init__(self, size, self_attn, feed_forward, dropout):
        super().__init__()
        self.self_attn = self_attn
        self.feed_forward = feed_forward
        self.sublayer = nn.ModuleList([copy.deepcopy(ScaleNormResidual(size, dropout)) for _ in range(2)])

    def forward(self, x, mask):
        x = self.sublayer[0](x, lambda y: self.self_attn(y, y, y, key_padding_mask=mask, need_weights=False)[0])
        return self.sublayer[1](x, self.feed_forward)


def make_encoder(n_layers=6, d_model=512, d_ff=2048, h=8, dropout=0.1):
    layers = [
        EncoderLayer(d_model, nn.MultiheadAttention(d_model, h, dropout, batch_first=True), PositionwiseFeedForward(d_model, d_ff, dropout), dropout)
        for _ in range(n_layers)
    ]
    model = nn.ModuleList(layers)
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    return model
