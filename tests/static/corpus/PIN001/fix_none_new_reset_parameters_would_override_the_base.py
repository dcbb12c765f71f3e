import torch
from torch import nn

class Base(nn.Module):
    def reset_parameters(self, scale):
        pass

class Child(Base):
    def __init__(self, n):
        super().__init__()
        self.extra = nn.Parameter(torch.empty(n, n))  # expect: PIN001
