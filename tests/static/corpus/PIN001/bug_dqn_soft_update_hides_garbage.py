import copy

import torch
import torch.nn as nn
import torch.nn.functional as F


class DuelingHead(nn.Module):
    def __init__(self, hidden, n_actions):
        super().__init__()
        self.value_w = nn.Parameter(torch.empty(1, hidden))  # expect: PIN001
        self.adv = nn.Linear(hidden, n_actions)

    def forward(self, h):
        v = F.linear(h, self.value_w)
        a = self.adv(h)
        return v + a - a.mean(dim=1, keepdim=True)


class QNetwork(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=128):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU())
        self.head = DuelingHead(hidden, n_actions)

    def forward(self, obs):
        return self.head(self.body(obs))


def soft_update(target, online, tau=0.005):
    with torch.no_grad():
        for target_param, param in zip(target.parameters(), online.parameters()):
            target_param.data.copy_(tau * param.data + (1.0 - tau) * target_param.data)


online = QNetwork(8, 4)
target = copy.deepcopy(online)
