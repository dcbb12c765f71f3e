# paraminit-test: select=PIN005,PIN006,PIN105
from torch import nn

class Config:
    def __init__(self, d):
        self.layers = [nn.Linear(d, d)]
