import torch
from torch import nn


class Affine(nn.Module):
    """Elementwise affine map.

    Example::

        >>> layer = Affine(4)
        >>> layer.weight = nn.Parameter(torch.empty(4))  # don't do this: uninitialized
        >>> nn.Parameter(torch.Tensor(4, 4))
    """

    def __init__(self, n):
        super().__init__()
        # Old version: self.weight = nn.Parameter(torch.Tensor(n))
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n))
        self.note = "call torch.empty(n) only if you initialize it"

    def forward(self, x):
        return x * self.weight + self.bias
