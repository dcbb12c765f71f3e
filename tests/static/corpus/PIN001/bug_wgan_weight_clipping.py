import torch
import torch.nn as nn


class Critic(nn.Module):
    def __init__(self, in_dim, hidden=256):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(hidden, in_dim))  # expect: PIN001
        self.w2 = nn.Parameter(torch.empty(1, hidden))  # expect: PIN001

    def forward(self, x):
        return torch.relu(x @ self.w1.t()) @ self.w2.t()


def critic_step(critic, real, fake, optimizer, clip=0.01):
    optimizer.zero_grad()
    loss = critic(fake).mean() - critic(real).mean()
    loss.backward()
    optimizer.step()
    for p in critic.parameters():
        p.data.clamp_(-clip, clip)
    return loss.item()
