import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n_in, n_out, shape):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n_out, n_in))  # expect: PIN001
        self.bias = nn.Parameter(torch.empty(n_out))  # expect: PIN001
        self.scale = nn.Parameter(torch.empty(n_out))  # expect: PIN001
        self.table = nn.Parameter(torch.empty(shape))  # expect: PIN001


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))  # expect: PIN003

    def reset_parameters(self):
        nn.init.eye_(self.weight)
