import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalConv1d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.dilation = dilation
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels))
        self.reset_parameters()

    def reset_parameters(self):
        w, b = self.weight, self.bias
        fan_in = w.size(1) * w.size(2)
        bound = 1 / math.sqrt(fan_in)
        nn.init.kaiming_uniform_(w, a=math.sqrt(5))
        nn.init.uniform_(b, -bound, bound)

    def forward(self, x):
        return F.conv1d(F.pad(x, (self.pad, 0)), self.weight, self.bias, dilation=self.dilation)
