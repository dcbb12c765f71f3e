import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.empty(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class InitWeights:
    """Initializer passed to Module.apply: one object, configured once."""

    def __init__(self, std: float):
        self.std = std

    def __call__(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.std)
        elif isinstance(module, RMSNorm):
            module.weight.data.fill_(1.0)


class Decoder(nn.Module):
    def __init__(self, vocab, dim, depth, std=0.02):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(
            [nn.Sequential(RMSNorm(dim), nn.Linear(dim, 4 * dim), nn.SiLU(), nn.Linear(4 * dim, dim)) for _ in range(depth)]
        )
        self.norm = RMSNorm(dim)
        self.apply(InitWeights(std))

    def forward(self, ids):
        h = self.embed(ids)
        for block in self.blocks:
            h = h + block(h)
        return self.norm(h) @ self.embed.weight.t()
