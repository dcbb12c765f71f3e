import torch
import torch.nn as nn


class ScaleNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.g = nn.Parameter(torch.empty(1))  # expect: PIN001
        self.scale = dim ** -0.5
        self.eps = eps

    def forward(self, x):
        return x * self.g / torch.clamp(x.norm(dim=-1, keepdim=True) * self.scale, min=self.eps)


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim, layer_scale_init=1e-6):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = ScaleNorm(dim)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(layer_scale_init * torch.ones(dim))

    def forward(self, x):
        residual = x
        x = self.dwconv(x.transpose(1, 2)).transpose(1, 2)
        x = self.pwconv2(torch.nn.functional.gelu(self.pwconv1(self.norm(x))))
        return residual + self.gamma * x


class Encoder(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.blocks = nn.ModuleList([ConvNeXtBlock(dim) for _ in range(depth)])
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, (nn.Conv1d, nn.Linear)):
            nn.init.trunc_normal_(module.weight, std=0.02)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x
