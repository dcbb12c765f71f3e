import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaledLinear(nn.Linear):
    """nn.Linear with a learnable per-output gain (used by weight-normalised heads)."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias)
        self.gain = nn.Parameter(torch.empty(out_features))
        self.reset_parameters()

    def reset_parameters(self):
        super().reset_parameters()
        if hasattr(self, "gain"):
            nn.init.ones_(self.gain)

    def forward(self, x):
        return F.linear(x, self.weight * self.gain.unsqueeze(1), self.bias)
