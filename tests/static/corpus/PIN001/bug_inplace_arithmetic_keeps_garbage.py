import torch
from torch import nn


class ReZeroBlock(nn.Module):
    """Residual block whose branch is scaled by a small learnable gate."""

    def __init__(self, dim, init_scale=0.1):
        super().__init__()
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.alpha = nn.Parameter(torch.Tensor(1))  # expect: PIN001
        self.alpha.data.mul_(init_scale)
        self.beta = nn.Parameter(torch.Tensor(dim))  # expect: PIN001
        self.beta.data *= init_scale

    def forward(self, x):
        return x + self.alpha * self.ff(x) + self.beta
