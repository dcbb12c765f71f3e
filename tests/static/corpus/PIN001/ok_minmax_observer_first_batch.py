import torch
from torch import nn


class MovingMinMaxObserver(nn.Module):
    def __init__(self, num_channels, momentum=0.1):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("running_min", torch.empty(num_channels))
        self.register_buffer("running_max", torch.empty(num_channels))
        self.register_buffer("num_batches", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def forward(self, x):
        x_flat = x.transpose(0, 1).flatten(1)
        cur_min, cur_max = x_flat.min(dim=1).values, x_flat.max(dim=1).values
        if self.num_batches == 0:
            self.running_min.copy_(cur_min)
            self.running_max.copy_(cur_max)
        else:
            self.running_min.lerp_(cur_min, self.momentum)
            self.running_max.lerp_(cur_max, self.momentum)
        self.num_batches += 1
        return x

    def scale_zero_point(self, bits=8):
        scale = (self.running_max - self.running_min).clamp(min=1e-8) / (2 ** bits - 1)
        return scale, torch.round(-self.running_min / scale)
