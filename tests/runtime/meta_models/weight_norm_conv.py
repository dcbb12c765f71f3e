"""A vocoder-style stack of weight-normalized convolutions initialized by reset_parameters():
each conv's reset_parameters() writes the computed weight, never original0/original1."""

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

INITIALIZER = "reset_parameters"
ARGS = (8,)
LEFT_BEHIND = {("ResBlock", "conv1"), ("ResBlock", "conv2")}


class ResBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = weight_norm(nn.Conv1d(channels, channels, 3, padding=1))
        self.conv2 = weight_norm(nn.Conv1d(channels, channels, 3, padding=1))
        self.alpha = nn.Parameter(torch.ones(1, channels, 1))

    def reset_parameters(self):
        self.conv1.reset_parameters()
        self.conv2.reset_parameters()
        nn.init.ones_(self.alpha)

    def forward(self, x):
        return x + self.conv2(torch.sin(self.alpha * self.conv1(x)))
