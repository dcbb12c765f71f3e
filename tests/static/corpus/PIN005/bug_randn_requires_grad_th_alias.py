# paraminit-test: select=PIN005,PIN006,PIN105
import torch as th

class Gate(th.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.alpha = th.randn(n, requires_grad=True)  # expect: PIN005

    def forward(self, x):
        return x * self.alpha
