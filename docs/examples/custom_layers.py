"""Custom layers as people write them: some initialize their parameters, some forget.

Run `paraminit check docs/examples/custom_layers.py` to see which is which.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import init


class ScaledLinear(nn.Module):
    """Correct: the nn.Linear pattern, torch.empty followed by reset_parameters()."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        self.scale = nn.Parameter(torch.ones(1))
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) * self.scale


class BilinearPool(nn.Module):
    """Buggy: legacy constructor, raw memory, nothing ever writes it."""

    def __init__(self, dim, rank):
        super().__init__()
        self.proj = nn.Parameter(torch.Tensor(dim, rank))

    def forward(self, x, y):
        return (x @ self.proj) * (y @ self.proj)


class GatedResidual(nn.Module):
    """Buggy: the initializer exists, but the constructor never calls it."""

    def __init__(self, dim):
        super().__init__()
        self.gate = nn.Parameter(torch.empty(dim))

    def reset_parameters(self):
        init.zeros_(self.gate)

    def forward(self, x, residual):
        return x + torch.sigmoid(self.gate) * residual


def make_noise(n):
    """Buggy: prints garbage."""
    noise = torch.FloatTensor(n, n)
    print(noise.mean())
    return noise


CLASS_WEIGHTS = torch.FloatTensor([0.2, 0.8])  # legacy data form: works, but the dtype is implicit
