import math

import torch
from torch import nn
from torch.nn import init as weight_init


class TensorFusion(nn.Module):
    """Low-rank multimodal fusion of audio, video and text features."""

    def __init__(self, audio_dim, video_dim, text_dim, out_dim, rank=4):
        super().__init__()
        self.rank = rank
        self.audio_factor = nn.Parameter(torch.Tensor(rank, audio_dim + 1, out_dim))
        self.video_factor = nn.Parameter(torch.Tensor(rank, video_dim + 1, out_dim))
        self.text_factor = nn.Parameter(torch.Tensor(rank, text_dim + 1, out_dim))
        self.fusion_weights = nn.Parameter(torch.Tensor(1, rank))
        self.fusion_bias = nn.Parameter(torch.Tensor(1, out_dim))
        for factor in (self.audio_factor, self.video_factor, self.text_factor):
            weight_init.xavier_normal_(factor)
        self._glorot(self.fusion_weights)
        self.fusion_bias.data.fill_(0)

    @staticmethod
    def _glorot(w):
        bound = math.sqrt(6.0 / (w.size(0) + w.size(1)))
        w.data.uniform_(-bound, bound)

    def forward(self, a, v, t):
        ones = a.new_ones(a.size(0), 1)
        fa = torch.matmul(torch.cat([ones, a], 1), self.audio_factor)
        fv = torch.matmul(torch.cat([ones, v], 1), self.video_factor)
        ft = torch.matmul(torch.cat([ones, t], 1), self.text_factor)
        fused = fa * fv * ft
        return torch.matmul(self.fusion_weights, fused.permute(1, 0, 2)).squeeze(1) + self.fusion_bias
