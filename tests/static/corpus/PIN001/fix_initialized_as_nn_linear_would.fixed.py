import math
import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n_in, n_out, shape):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n_out, n_in))  # expect: PIN001
        self.bias = nn.Parameter(torch.empty(n_out))  # expect: PIN001
        self.scale = nn.Parameter(torch.empty(n_out))  # expect: PIN001
        self.table = nn.Parameter(torch.empty(shape))  # expect: PIN001
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        nn.init.uniform_(self.bias, -bound, bound)
        nn.init.ones_(self.scale)
        if self.table.dim() > 1:
            nn.init.kaiming_uniform_(self.table, a=math.sqrt(5))
        else:
            nn.init.ones_(self.table)


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))  # expect: PIN003
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.eye_(self.weight)
