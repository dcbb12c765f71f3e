import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LazyGraphLinear(nn.Module):
    """Infers in_channels from the first batch of node features, then initializes itself."""

    def __init__(self, out_channels, bias=True):
        super().__init__()
        self.out_channels = out_channels
        self.use_bias = bias
        self.weight = None
        self.bias = None

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.weight.size(1))
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        if self.weight is None:
            self.weight = nn.Parameter(x.new_empty(self.out_channels, x.size(-1)))
            if self.use_bias:
                self.bias = nn.Parameter(x.new_empty(self.out_channels))
            self.reset_parameters()
        return F.linear(x, self.weight, self.bias)
