# Expected PIN001 on line 15 on both paths (default = stable rules). Full path: PIN001 on 15. Fast path: nothing.
# Why: the class block contains the factory (torch.empty) but the wrap is spelled `P(...)`
# through `from torch.nn import Parameter as P`; WRAPS (Parameter|register_...|Buffer() never
# occurs inside the class, so Selection.triggers() rejects the block. Any alias of Parameter
# (P, Param, nn.parameter.Parameter is fine) or a wrap done in a same-file helper drops it.
import torch
from torch import nn
from torch.nn import Parameter as P


class Cell(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = P(torch.empty(n, n))  # expect: PIN001
