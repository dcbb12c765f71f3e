"""Generates layer source code for a NAS search space, and defines the layer it is based on."""
import math

import torch
from torch import nn

LAYER_TEMPLATE = """
class {name}(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(dim, dim))

def reset_parameters(self):
    pass
"""


def render(name):
    return LAYER_TEMPLATE.format(name=name)


class SearchableLinear(nn.Module):
    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        widths: tuple[int, ...] = (1, 2, 4),
    ) -> None:
        super().__init__()
        self.widths = widths
        self.weight = nn.Parameter(torch.empty(out_features * max(widths), in_features))
        self.reset_parameters()

    def reset_parameters(
        self,
    ) -> None:
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x, width=1):
        rows = self.weight.size(0) // max(self.widths) * width
        return x @ self.weight[:rows].t()
