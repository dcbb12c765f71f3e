import torch
from torch import nn
import torch.nn.functional as F


class GatedConv1d(nn.Module):
    def __init__(self, channels, kernel_size):
        super().__init__()
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.empty(2 * channels, channels, kernel_size))
        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        a, b = F.conv1d(x, self.weight, padding=self.padding).chunk(2, dim=1)
        return a * torch.sigmoid(b)


class DilatedGatedConv1d(GatedConv1d):
    def __init__(self, channels, kernel_size, dilation):
        nn.Module.__init__(self)
        self.dilation = dilation
        self.padding = dilation * (kernel_size - 1) // 2
        self.weight = nn.Parameter(torch.empty(2 * channels, channels, kernel_size))  # expect: PIN003
        self.skip_scale = nn.Parameter(torch.empty(channels))  # expect: PIN003

    def _reset_parameters(self):
        super()._reset_parameters()
        nn.init.ones_(self.skip_scale)

    def forward(self, x):
        a, b = F.conv1d(x, self.weight, padding=self.padding, dilation=self.dilation).chunk(2, dim=1)
        return a * torch.sigmoid(b) + self.skip_scale.view(1, -1, 1) * x
