import math

import torch
from torch import nn
from torch.nn import functional as F


class HighwayLayer(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(size, size))  # expect: PIN001
        self.bias = nn.Parameter(torch.Tensor(size))
        self.gate_weight = nn.Parameter(torch.Tensor(size, size))
        self.gate_bias = nn.Parameter(torch.Tensor(size))
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.gate_weight.size(1))
        self.weights.data.uniform_(-stdv, stdv)
        self.bias.data.zero_()
        self.gate_weight.data.uniform_(-stdv, stdv)
        self.gate_bias.data.fill_(-1.0)

    def forward(self, x):
        h = F.relu(F.linear(x, self.weight, self.bias))
        t = torch.sigmoid(F.linear(x, self.gate_weight, self.gate_bias))
        return t * h + (1 - t) * x
