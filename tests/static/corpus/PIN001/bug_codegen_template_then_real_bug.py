import torch
from torch import nn

SNIPPET = '''
class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.g = nn.Parameter(torch.empty(n))
        nn.init.ones_(self.g)
'''


class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.g = nn.Parameter(torch.empty(n))  # expect: PIN001

    def forward(self, x):
        return x * self.g
