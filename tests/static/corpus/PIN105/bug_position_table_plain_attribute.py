# paraminit-test: select=PIN005,PIN006,PIN105
import math
import torch
from torch import nn

class PositionalEncoding(nn.Module):
    def __init__(self, d, max_len=512):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe = torch.zeros(max_len, d)
        pe[:, 0::2] = torch.sin(position * div)
        # expect-next: PIN105
        self.pe = pe
        self.scale = math.sqrt(d)

    def forward(self, x):
        return x * self.scale + self.pe[: x.size(0)]
