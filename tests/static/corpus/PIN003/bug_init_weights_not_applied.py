import torch
from torch import nn


class GatedLinearUnit(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.w = nn.Parameter(torch.empty(d_in, 2 * d_out))  # expect: PIN003
        self.b = nn.Parameter(torch.empty(2 * d_out))  # expect: PIN003

    def _init_weights(self):
        nn.init.xavier_uniform_(self.w)
        nn.init.zeros_(self.b)

    def forward(self, x):
        a, g = (x @ self.w + self.b).chunk(2, dim=-1)
        return a * torch.sigmoid(g)


class TemporalFusionBlock(nn.Module):
    def __init__(self, d_model, dropout=0.1):
        super().__init__()
        self.glu = GatedLinearUnit(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.norm(x + self.glu(self.dropout(x)))
