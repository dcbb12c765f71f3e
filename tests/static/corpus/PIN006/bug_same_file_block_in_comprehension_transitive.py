# paraminit-test: select=PIN005,PIN006,PIN105
import torch.nn as nn

class Base(nn.Module):
    pass

class Block(Base):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

class Tower(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.blocks = [Block(d) for _ in range(n)]  # expect: PIN006
