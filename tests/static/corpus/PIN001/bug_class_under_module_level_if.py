import os

import torch
import torch.nn as nn

USE_FUSED = os.environ.get("USE_FUSED_KERNELS", "0") == "1"

if USE_FUSED:
    from fused_ops import FusedScaleBias as ScaleBias
else:

    class ScaleBias(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.scale = nn.Parameter(torch.empty(channels))  # expect: PIN001
            self.bias = nn.Parameter(torch.zeros(channels))

        def forward(self, x):
            return x * self.scale.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
