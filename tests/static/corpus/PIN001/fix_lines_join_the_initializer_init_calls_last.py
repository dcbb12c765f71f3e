import torch
from torch import nn

class Half(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self.other = nn.Parameter(torch.empty(n, n))  # expect: PIN001
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
