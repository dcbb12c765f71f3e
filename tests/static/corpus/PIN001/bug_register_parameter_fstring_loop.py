import torch
from torch import nn


class MultiScaleRetention(nn.Module):
    def __init__(self, dim, scales=(4, 8, 16)):
        super().__init__()
        self.scales = scales
        for s in scales:
            self.register_parameter(f"decay_{s}", nn.Parameter(torch.empty(dim // s)))  # expect: PIN001
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        outs = []
        for s in self.scales:
            decay = torch.sigmoid(getattr(self, f"decay_{s}"))
            xs = x.view(*x.shape[:-1], -1, x.size(-1) // s * s // s)
            outs.append((xs.cumsum(-2) * decay.view(1, 1, -1, 1)).flatten(-2))
        return self.out(torch.cat(outs, dim=-1)[..., : x.size(-1)])
