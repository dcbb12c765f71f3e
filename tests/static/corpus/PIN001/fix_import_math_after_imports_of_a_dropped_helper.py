"""Affine layers. A helper above the imports imports lazily: the prefilter keeps that import
for name resolution, but the fix's `import math` still goes before the first module-level
import, never into the helper's body."""


def _numpy():
    import numpy

    return numpy


import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(n_out, n_in))  # expect: PIN001
