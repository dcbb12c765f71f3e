import torch
import torch.nn as nn
from torch.nn.init import trunc_normal_, xavier_uniform_


class PerceiverIOQueries(nn.Module):
    def __init__(self, num_queries, dim, num_latents, latent_dim):
        super().__init__()
        self.queries = nn.Parameter(trunc_normal_(torch.empty(num_queries, dim), std=0.02))
        self.latents = nn.Parameter(nn.init.normal_(torch.empty(num_latents, latent_dim), std=0.02))
        self.to_latent = nn.Parameter(xavier_uniform_(torch.empty(latent_dim, dim)))
        self.temperature = nn.Parameter(torch.empty(1).fill_(latent_dim ** -0.5))

    def forward(self, x):
        latents = self.latents.expand(x.size(0), -1, -1)
        attn = torch.softmax(latents @ self.to_latent @ x.transpose(1, 2) * self.temperature, dim=-1)
        return attn @ x
