# Two imports bind `Parameter`: torch's at the top and a project's inside a helper the rules
# do not need. The analysis settles such a name the same way for the whole file and for the
# chunks the prefilter cuts it into (the helper's import is kept, in its place).
import torch
from torch import nn
from torch.nn import Parameter


class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = Parameter(torch.Tensor(n, n))  # expect: PIN001

    def forward(self, x):
        return x @ self.w


def unrelated():
    return 1


def legacy_parameter():
    from mylib.compat import Parameter

    return Parameter
