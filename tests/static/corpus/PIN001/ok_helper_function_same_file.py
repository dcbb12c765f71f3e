import math

import torch
from torch import nn


def _init_linear(weight, bias, gain=1.0):
    nn.init.xavier_uniform_(weight, gain=gain)
    if bias is not None:
        bias.data.zero_()


def _init_embedding(table, padding_idx=None):
    table.data.normal_(0.0, table.size(1) ** -0.5)
    if padding_idx is not None:
        table.data[padding_idx].zero_()


class FactorizationMachine(nn.Module):
    def __init__(self, num_fields, field_dims, embed_dim):
        super().__init__()
        total = sum(field_dims)
        self.embedding = nn.Parameter(torch.empty(total, embed_dim))
        self.linear_w = nn.Parameter(torch.empty(total, 1))
        self.linear_b = nn.Parameter(torch.empty(1))
        self.proj_w = nn.Parameter(torch.empty(embed_dim, embed_dim))
        self.proj_b = nn.Parameter(torch.empty(embed_dim))
        self.register_buffer("offsets", torch.tensor([0, *field_dims[:-1]]).cumsum(0))
        _init_embedding(self.embedding)
        _init_embedding(self.linear_w)
        _init_linear(self.proj_w, self.proj_b, gain=math.sqrt(2))
        nn.init.zeros_(self.linear_b)

    def forward(self, x):
        x = x + self.offsets
        emb = self.embedding[x]
        square_of_sum = emb.sum(dim=1) ** 2
        sum_of_square = (emb ** 2).sum(dim=1)
        inter = 0.5 * (square_of_sum - sum_of_square) @ self.proj_w + self.proj_b
        return self.linear_w[x].sum(dim=1) + self.linear_b + inter.sum(dim=1, keepdim=True)
