# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Attack:
    def __init__(self, x):
        self.delta = torch.zeros_like(x, requires_grad=True)

class Frozen(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.table = torch.randn(n, requires_grad=False)

    def forward(self, x):
        x = x.clone().requires_grad_()
        self.saliency_input = x
        return x
