import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class DepthwiseSeparableConv1d(nn.Module):
    def __init__(self, channels, kernel_size, bias=True, pretrained_kernel=None):
        super().__init__()
        self.padding = kernel_size // 2
        if pretrained_kernel is not None:
            self.depthwise = nn.Parameter(pretrained_kernel.clone())
        else:
            self.depthwise = nn.Parameter(torch.empty(channels, 1, kernel_size))
            nn.init.kaiming_uniform_(self.depthwise, a=math.sqrt(5))
        self.pointwise = nn.Parameter(torch.empty(channels, channels, 1))
        nn.init.kaiming_uniform_(self.pointwise, a=math.sqrt(5))
        if bias:
            self.bias = nn.Parameter(torch.empty(channels))
        else:
            self.register_parameter("bias", None)
        if bias:
            nn.init.zeros_(self.bias)

    def forward(self, x):
        x = F.conv1d(x, self.depthwise, padding=self.padding, groups=x.size(1))
        return F.conv1d(x, self.pointwise, self.bias)
