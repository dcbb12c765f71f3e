import math

import torch
from torch import nn


def siren_uniform_(weight, is_first=False, omega_0=30.0):
    fan_in = weight.size(1)
    bound = 1.0 / fan_in if is_first else math.sqrt(6.0 / fan_in) / omega_0
    with torch.no_grad():
        weight.uniform_(-bound, bound)


class SineLayer(nn.Module):
    def __init__(self, in_features, out_features, is_first=False, omega_0=30.0):
        super().__init__()
        self.omega_0 = omega_0
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        siren_uniform_(self.weight, is_first=is_first, omega_0=omega_0)
        nn.init.uniform_(self.bias, -1 / math.sqrt(in_features), 1 / math.sqrt(in_features))

    def forward(self, x):
        return torch.sin(self.omega_0 * (x @ self.weight.t() + self.bias))
