import torch
from torch import empty, nn


class EMAStatistics(nn.Module):
    def __init__(self, num_features, momentum=0.01):
        super().__init__()
        self.momentum = momentum
        self.mean = nn.Buffer(torch.zeros(num_features))
        self.var = nn.Buffer(empty(num_features))  # expect: PIN001
        self.gain = nn.Parameter(data=torch.empty(num_features))  # expect: PIN001

    @torch.no_grad()
    def update(self, x):
        self.mean.lerp_(x.mean(0), self.momentum)
        self.var.lerp_(x.var(0, unbiased=False), self.momentum)

    def forward(self, x):
        if self.training:
            self.update(x)
        return (x - self.mean) * torch.rsqrt(self.var + 1e-5) * self.gain
