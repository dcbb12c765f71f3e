# paraminit-test: select=PIN005,PIN006,PIN105
from torch import nn

class MultiTask(nn.Module):
    def __init__(self, d, tasks):
        super().__init__()
        self.heads = {}  # expect: PIN006
        for name in tasks:
            self.heads[name] = nn.Linear(d, 1)
