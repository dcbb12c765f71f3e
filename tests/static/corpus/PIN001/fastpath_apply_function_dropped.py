# Expected no finding (weights_init, applied to the model, writes m.bias for every module that has one).
# Full path: nothing. Fast path: PIN001 on line 19.
# Why: prefilter.select_chunks drops the top-level function weights_init: it neither contains a
# trigger nor names the triggered class Net (it matches by hasattr / class-name strings, as
# Transformer-XL's weights_init does), and the only reference to it is as an argument of
# model.apply(weights_init), not a call weights_init(...). InitFlow on the full file records
# its write to m.bias as a foreign write with no isinstance guard, which initializes Net.bias.
# ROOT CAUSE (prefilter._pull_functions): 'pending' starts only from kept blocks with
# b.defines is not None, so names used by kept PLAIN statements (model.apply(weights_init),
# init_all(model) under if __name__ == '__main__') never pull their functions.
# Fix: seed pending with every kept block, plain statements included.
# The realistic case is ok_transformer_xl_classname_weights_init.py in this directory.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.Tensor(n))


def init_weight(weight):
    nn.init.normal_(weight, 0.0, 0.02)


def weights_init(m):
    if hasattr(m, "bias"):
        nn.init.normal_(m.bias)


model = Net(3)
model.apply(weights_init)
