import torch
import torch.nn as nn


class UNetBlock(nn.Module):
    class FiLM(nn.Module):
        def __init__(self, cond_dim, channels):
            super().__init__()
            self.gamma = nn.Parameter(torch.empty(cond_dim, channels))
            self.beta = nn.Parameter(torch.empty(cond_dim, channels))
            nn.init.zeros_(self.gamma)
            nn.init.zeros_(self.beta)

        def forward(self, x, cond):
            g = (cond @ self.gamma)[:, :, None, None]
            b = (cond @ self.beta)[:, :, None, None]
            return x * (1 + g) + b

    def __init__(self, in_ch, out_ch, cond_dim):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.norm = nn.GroupNorm(8, out_ch)
        self.film = self.FiLM(cond_dim, out_ch)

    def forward(self, x, cond):
        return torch.relu(self.film(self.norm(self.conv(x)), cond))
