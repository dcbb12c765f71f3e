# A module-level class that binds a name the file also imports (`Linear`) takes it over:
# the analysis never resolves it to torch. The prefilter keeps such a class even where no
# rule needs it, or the fast path would see torch's `Linear` in a plain list (PIN006).
import torch
from torch import nn
from torch.nn import Linear


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = [Linear(2, 2) for _ in range(3)]

    def forward(self, x):
        return [h(x) for h in self.heads]


class Linear:
    """A callable stand-in, not a module."""

    def __call__(self, x):
        return x
