# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Causal(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("mask", torch.tril(torch.ones(n, n)))
        self.cache = torch.zeros(n)

    def forward(self, x):
        return x.masked_fill(self.mask == 0, 0.0)
