# paraminit-test: select=PIN005,PIN006,PIN105
from torch.nn import Module, Linear, ReLU

class MLP(Module):
    def __init__(self, d):
        super().__init__()
        self.layers = [Linear(d, d), ReLU(), Linear(d, 1)]  # expect: PIN006

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
