# paraminit-test: select=PIN005,PIN006,PIN105
from torch import nn
from timm.layers import Mlp
from .blocks import Block

class Net(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.mlps = [Mlp(d) for _ in range(n)]
        self.blocks = [Block(d) for _ in range(n)]
