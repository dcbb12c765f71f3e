import torch
from torch import nn


def make_param(*shape):
    return nn.Parameter(torch.empty(*shape))


class DiagonalGaussianPolicy(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden=64):
        super().__init__()
        self.w1 = make_param(hidden, obs_dim)
        self.w2 = make_param(act_dim, hidden)
        self.log_std = make_param(act_dim)
        nn.init.orthogonal_(self.w1, gain=2 ** 0.5)
        nn.init.orthogonal_(self.w2, gain=0.01)
        nn.init.constant_(self.log_std, -0.5)

    def forward(self, obs):
        mean = torch.tanh(obs @ self.w1.t()) @ self.w2.t()
        return torch.distributions.Normal(mean, self.log_std.exp())
