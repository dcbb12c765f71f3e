import torch
import torch.nn as nn
import torch.nn.functional as F


class FactorizedAttention(nn.Module):
    def __init__(self, dim, heads=8, rank=64):
        super().__init__()
        self.heads = heads
        for name in ("w_q", "w_k", "w_v"):
            self.register_parameter(name, nn.Parameter(torch.empty(dim, rank)))
        self.w_o = nn.Parameter(torch.empty(rank, dim))
        self._reset_parameters()

    def _reset_parameters(self):
        for name in ("w_q", "w_k", "w_v", "w_o"):
            nn.init.xavier_uniform_(getattr(self, name))

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = (x @ self.w_q, x @ self.w_k, x @ self.w_v)
        q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v)
        return out.transpose(1, 2).reshape(b, n, -1) @ self.w_o
