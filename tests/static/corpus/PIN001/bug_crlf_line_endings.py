import math

import torch
import torch.nn as nn


class GatedResidual(nn.Module):
    """Written on Windows: every line ends with CRLF."""

    def __init__(self, dim):
        super().__init__()
        self.gate = nn.Parameter(torch.Tensor(dim, dim))
        self.skip = nn.Parameter(torch.Tensor(dim))  # expect: PIN001
        self.proj = nn.Parameter(torch.empty(dim, dim))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.gate, a=math.sqrt(5))
        nn.init.kaiming_uniform_(self.proj, a=math.sqrt(5))

    def forward(self, x):
        g = torch.sigmoid(x @ self.gate)
        return g * (x @ self.proj) + (1 - g) * x * self.skip
