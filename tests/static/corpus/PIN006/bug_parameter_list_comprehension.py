# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Mixture(nn.Module):
    def __init__(self, k, d):
        super().__init__()
        self.means = [nn.Parameter(torch.randn(d)) for _ in range(k)]  # expect: PIN006
