import torch
from torch import nn


class LazyBilinear(nn.Module):
    """Infers its input size from the first batch, like the Lazy* modules."""

    def __init__(self, out_features, std=0.02):
        super().__init__()
        self.out_features = out_features
        self.std = std
        self.weight = None

    def _materialize(self, x, y):
        w = x.new(self.out_features, x.size(-1), y.size(-1)).normal_(0.0, self.std)
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(x.new_empty(self.out_features).zero_())

    def forward(self, x, y):
        if self.weight is None:
            self._materialize(x, y)
        return torch.einsum("bi,oij,bj->bo", x, self.weight, y) + self.bias
