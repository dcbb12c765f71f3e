# paraminit-test: select=PIN005,PIN006,PIN105
from torch import nn

class Net(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.sizes = [d] * n
        self.names = ["q", "k", "v"]
        self.blocks = []
        for i in range(n):
            block = nn.Linear(d, d)
            self.add_module(f"block{i}", block)
            self.blocks.append(block)
        self.stack = [nn.Linear(d, d) for _ in range(n)]
        self.body = nn.Sequential(*self.stack)
        self.converted = []
        self.converted.append(nn.ReLU())
        self.converted = nn.ModuleList(self.converted)
