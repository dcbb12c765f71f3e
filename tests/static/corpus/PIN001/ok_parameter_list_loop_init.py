import math

import torch
from torch import nn


class MixtureOfSoftmaxes(nn.Module):
    """Output layer mixing K softmaxes (Yang et al., 2018)."""

    def __init__(self, hidden, vocab, n_experts=4):
        super().__init__()
        self.n_experts = n_experts
        self.prior = nn.Parameter(torch.empty(hidden, n_experts))
        self.latent = nn.ParameterList([nn.Parameter(torch.empty(hidden, hidden)) for _ in range(n_experts)])
        self.decoder = nn.Linear(hidden, vocab)
        nn.init.zeros_(self.prior)
        for w in self.latent:
            nn.init.kaiming_uniform_(w, a=math.sqrt(5))

    def forward(self, h):
        prior = torch.softmax(h @ self.prior, dim=-1)
        probs = torch.stack([torch.softmax(self.decoder(torch.tanh(h @ w)), dim=-1) for w in self.latent], dim=-2)
        return torch.log((prior.unsqueeze(-1) * probs).sum(dim=-2) + 1e-8)
