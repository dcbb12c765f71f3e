import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init


class BilinearAttention(nn.Module):
    """score(q, k) = q^T W k + b, as in Luong's 'general' attention."""

    def __init__(self, query_dim, key_dim):
        super().__init__()
        self.W = nn.Parameter(torch.Tensor(query_dim, key_dim))  # expect: PIN003
        self.b = nn.Parameter(torch.Tensor(1))  # expect: PIN003

    def reset_parameters(self):
        init.xavier_uniform_(self.W)
        init.zeros_(self.b)

    def forward(self, query, keys, mask=None):
        scores = torch.einsum("bq,qk,btk->bt", query, self.W, keys) + self.b
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights
