import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class WeightNormLinear(nn.Module):
    """Linear layer with weight normalisation: w = g * v / ||v||."""

    def __init__(self, in_features, out_features, bias=True, init_scale=1.0):
        super().__init__()
        self.init_scale = init_scale
        self.v = nn.Parameter(torch.empty(out_features, in_features))
        self.g = nn.Parameter(torch.empty(out_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))  # expect: PIN001
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.v, a=math.sqrt(5))
        with torch.no_grad():
            self.g.copy_(self.v.norm(dim=1) * self.init_scale)

    def forward(self, x):
        w = self.g.unsqueeze(1) * self.v / self.v.norm(dim=1, keepdim=True)
        return F.linear(x, w, self.bias)
