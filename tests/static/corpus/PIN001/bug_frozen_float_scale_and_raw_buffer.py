import torch
from torch import nn


class FrozenAffine(nn.Module):
    """A fixed affine map meant to stay out of the optimizer; nothing ever writes it."""

    def __init__(self, n):
        super().__init__()
        self.scale = nn.Parameter(torch.FloatTensor(n), requires_grad=False)  # expect: PIN001
        self.register_buffer("shift", torch.empty(n))  # expect: PIN001

    def forward(self, x):
        return x * self.scale + self.shift


class FrozenInt8(nn.Module):
    """A quantized container: a checkpoint fills it, so it is not judged."""

    def __init__(self, n, dtype=torch.int8):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n, dtype=dtype), requires_grad=False)
        self.scale = nn.Parameter(torch.empty(n), requires_grad=False)

    def forward(self, x):
        return x @ (self.weight.float() * self.scale)
