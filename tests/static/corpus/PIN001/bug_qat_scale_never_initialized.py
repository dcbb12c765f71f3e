import torch
from torch import nn


class FakeQuantPerChannel(nn.Module):
    """Per-channel fake quantization with a learnable scale (quantization-aware training)."""

    def __init__(self, num_channels, bits=8):
        super().__init__()
        self.qmin, self.qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        self.scale = nn.Parameter(torch.empty(num_channels))  # expect: PIN001
        self.zero_point = nn.Parameter(torch.zeros(num_channels), requires_grad=False)

    def forward(self, w):
        s = self.scale.abs().view(-1, *([1] * (w.dim() - 1))) + 1e-8
        z = self.zero_point.view_as(s)
        q = torch.clamp(torch.round(w / s) + z, self.qmin, self.qmax)
        return w + ((q - z) * s - w).detach()
