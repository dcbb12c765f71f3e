import torch
from torch import nn


class ActNorm(nn.Module):
    """Per-channel affine layer initialised from the statistics of the first batch (Glow)."""

    def __init__(self, in_channel, logdet=True):
        super().__init__()
        self.loc = nn.Parameter(torch.empty(1, in_channel, 1, 1))
        self.scale = nn.Parameter(torch.empty(1, in_channel, 1, 1))
        self.register_buffer("initialized", torch.tensor(0, dtype=torch.uint8))
        self.logdet = logdet

    @torch.no_grad()
    def initialize(self, x):
        flatten = x.permute(1, 0, 2, 3).contiguous().view(x.shape[1], -1)
        mean = flatten.mean(1).view(1, -1, 1, 1)
        std = flatten.std(1).view(1, -1, 1, 1)
        self.loc.data.copy_(-mean)
        self.scale.data.copy_(1 / (std + 1e-6))

    def forward(self, x):
        _, _, height, width = x.shape
        if self.initialized.item() == 0:
            self.initialize(x)
            self.initialized.fill_(1)
        logdet = height * width * torch.sum(torch.log(torch.abs(self.scale)))
        return self.scale * (x + self.loc), logdet
