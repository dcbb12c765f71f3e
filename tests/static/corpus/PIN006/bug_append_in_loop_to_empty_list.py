# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Heads(nn.Module):
    def __init__(self, d, tasks):
        super().__init__()
        self.heads = []  # expect: PIN006
        for _ in tasks:
            self.heads.append(nn.Linear(d, 1))
