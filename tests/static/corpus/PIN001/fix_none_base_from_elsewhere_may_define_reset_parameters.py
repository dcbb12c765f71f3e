import torch
from torch import nn

class Wide(nn.Linear):
    def __init__(self, n):
        super().__init__(n, n)
        self.extra = nn.Parameter(torch.empty(n, n))  # expect: PIN001
