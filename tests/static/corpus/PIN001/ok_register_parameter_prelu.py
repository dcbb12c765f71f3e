import torch
import torch.nn as nn


class ChannelPReLU(nn.Module):
    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = num_parameters
        self.register_parameter("alpha", nn.Parameter(torch.empty(num_parameters)))
        nn.init.constant_(self.alpha, init)

    def forward(self, x):
        alpha = self.alpha.view(1, -1, *([1] * (x.dim() - 2)))
        return torch.where(x >= 0, x, alpha * x)
