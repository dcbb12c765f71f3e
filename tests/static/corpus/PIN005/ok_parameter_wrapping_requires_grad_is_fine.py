# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.alpha = nn.Parameter(torch.randn(n, requires_grad=True))
        self.beta = nn.Parameter(torch.zeros(n), requires_grad=True)
