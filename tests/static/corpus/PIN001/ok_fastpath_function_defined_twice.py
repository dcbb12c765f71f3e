# A module-level function defined twice (a real one, then a stand-in further down): the
# analysis reads every definition of `init_weights`, and the first one initializes `w`. The
# prefilter must keep every block that defines a name kept code calls, not only the last one,
# or the fast path reports PIN001 on `self.w` that the full parse does not.
import torch
from torch import nn


def init_weights(m):
    nn.init.normal_(m.w)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.Tensor(3))
        init_weights(self)


def init_weights(m):
    return m
