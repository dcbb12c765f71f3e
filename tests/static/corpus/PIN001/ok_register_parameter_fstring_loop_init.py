import torch
from torch import nn


class PerLevelScales(nn.Module):
    def __init__(self, num_levels, channels, init_value=1.0):
        super().__init__()
        self.num_levels = num_levels
        for level in range(num_levels):
            self.register_parameter(f"scale_{level}", nn.Parameter(torch.empty(channels)))
            nn.init.constant_(getattr(self, f"scale_{level}"), init_value)

    def forward(self, features):
        return [f * getattr(self, f"scale_{i}").view(1, -1, 1, 1) for i, f in enumerate(features)]
