import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadGraphAttention(nn.Module):
    """GAT-style attention with one projection and attention vector per head."""

    def __init__(self, in_dim, out_dim, num_heads=4, negative_slope=0.2):
        super().__init__()
        self.num_heads = num_heads
        self.negative_slope = negative_slope
        for h in range(num_heads):
            setattr(self, f"proj_{h}", nn.Parameter(torch.empty(in_dim, out_dim)))  # expect: PIN001
            setattr(self, f"attn_{h}", nn.Parameter(torch.empty(2 * out_dim, 1)))  # expect: PIN001

    def forward(self, x, adj):
        outputs = []
        for h in range(self.num_heads):
            wh = x @ getattr(self, f"proj_{h}")
            a = getattr(self, f"attn_{h}")
            n = wh.size(0)
            pairs = torch.cat([wh.repeat_interleave(n, 0), wh.repeat(n, 1)], dim=1).view(n, n, -1)
            e = F.leaky_relu((pairs @ a).squeeze(-1), self.negative_slope)
            e = e.masked_fill(adj == 0, float("-inf"))
            outputs.append(F.softmax(e, dim=1) @ wh)
        return torch.cat(outputs, dim=-1)
