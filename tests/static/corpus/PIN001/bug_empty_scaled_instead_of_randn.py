import torch
import torch.nn as nn


class PerceiverLatents(nn.Module):
    """Learned latent array that cross-attends to the inputs."""

    def __init__(self, num_latents, dim, heads=8):
        super().__init__()
        self.latents = nn.Parameter(torch.empty(num_latents, dim) * 0.02)  # expect: PIN001
        self.cross_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        latents = self.latents.unsqueeze(0).expand(x.size(0), -1, -1)
        out, _ = self.cross_attn(self.norm(latents), x, x)
        return latents + out
