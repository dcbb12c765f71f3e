import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parameter import Parameter


class NAC(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.W_hat = Parameter(torch.Tensor(out_dim, in_dim))
        self.M_hat = Parameter(torch.Tensor(out_dim, in_dim))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.W_hat, a=math.sqrt(5))
        nn.init.kaiming_uniform_(self.M_hat, a=math.sqrt(5))

    def forward(self, x):
        return F.linear(x, torch.tanh(self.W_hat) * torch.sigmoid(self.M_hat))


class NALU(nn.Module):
    def __init__(self, in_dim, out_dim, eps=1e-7):
        super().__init__()
        self.eps = eps
        self.nac = NAC(in_dim, out_dim)
        self.G = Parameter(torch.Tensor(out_dim, in_dim))
        self.reset_parameters()

    def reset_parameters(self):
        self.nac.reset_parameters()
        nn.init.xavier_uniform_(self.G)

    def forward(self, x):
        a = self.nac(x)
        g = torch.sigmoid(F.linear(x, self.G))
        log_x = torch.log(torch.abs(x) + self.eps)
        m = torch.exp(self.nac(log_x))
        return g * a + (1 - g) * m
