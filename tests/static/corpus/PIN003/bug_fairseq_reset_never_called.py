import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LearnedSinusoidMix(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx):
        super().__init__()
        self.padding_idx = padding_idx
        self.embedding_dim = embedding_dim
        self.weight = nn.Parameter(torch.Tensor(num_embeddings, embedding_dim))  # expect: PIN003
        self.mix = nn.Parameter(torch.Tensor(embedding_dim))  # expect: PIN003

    def reset_parameters(self):
        nn.init.normal_(self.weight, mean=0, std=self.embedding_dim ** -0.5)
        nn.init.constant_(self.weight[self.padding_idx], 0)
        nn.init.constant_(self.mix, 0.5)

    def forward(self, positions):
        half = self.embedding_dim // 2
        freqs = torch.exp(torch.arange(half, device=positions.device) * -(math.log(10000.0) / (half - 1)))
        sinus = torch.cat([torch.sin(positions[..., None] * freqs), torch.cos(positions[..., None] * freqs)], dim=-1)
        learned = F.embedding(positions, self.weight, self.padding_idx)
        return self.mix * learned + (1 - self.mix) * sinus
