import torch
from torch import nn

class Early(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(torch.empty(n, n))  # expect: PIN001
        return None
