import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class _ConvNd(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, *kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        fan_in = self.in_channels * math.prod(self.kernel_size)
        nn.init.uniform_(self.bias, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))


class CoordConv2d(_ConvNd):
    """Convolution that appends two coordinate channels to its input."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        self.coord_scale = None
        super().__init__(in_channels + 2, out_channels, (kernel_size, kernel_size))

    def reset_parameters(self):
        super().reset_parameters()
        self.coord_scale = nn.Parameter(torch.empty(2, 1, 1))
        nn.init.ones_(self.coord_scale)

    def forward(self, x):
        b, _, h, w = x.shape
        ys = torch.linspace(-1, 1, h, device=x.device).view(1, 1, h, 1).expand(b, 1, h, w)
        xs = torch.linspace(-1, 1, w, device=x.device).view(1, 1, 1, w).expand(b, 1, h, w)
        coords = torch.cat([ys, xs], dim=1) * self.coord_scale
        return F.conv2d(torch.cat([x, coords], dim=1), self.weight, self.bias, padding=1)
