"""Neural Arithmetic Logic Unit: the gate is initialized, the NAC's M_hat is forgotten."""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import init
from torch.nn.parameter import Parameter


class NeuralAccumulator(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.W_hat = Parameter(torch.Tensor(out_dim, in_dim))
        self.M_hat = Parameter(torch.Tensor(out_dim, in_dim))  # expect: PIN001
        self.register_parameter("bias", None)
        init.kaiming_uniform_(self.W_hat, a=math.sqrt(5))

    def forward(self, x):
        W = torch.tanh(self.W_hat) * torch.sigmoid(self.M_hat)
        return F.linear(x, W, self.bias)


class NALU(nn.Module):
    def __init__(self, in_dim, out_dim, eps=1e-10):
        super().__init__()
        self.eps = eps
        self.G = Parameter(torch.Tensor(out_dim, in_dim))
        self.nac = NeuralAccumulator(in_dim, out_dim)
        init.kaiming_uniform_(self.G, a=math.sqrt(5))

    def forward(self, x):
        a = self.nac(x)
        g = torch.sigmoid(F.linear(x, self.G))
        m = torch.exp(self.nac(torch.log(torch.abs(x) + self.eps)))
        return g * a + (1 - g) * m
