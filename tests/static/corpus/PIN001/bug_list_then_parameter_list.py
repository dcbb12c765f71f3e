import torch
from torch import nn


class DeepSets(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        weights = []
        for _ in range(depth):
            weights.append(nn.Parameter(torch.empty(dim, dim)))  # expect: PIN001
        self.phi = nn.ParameterList(weights)
        self.rho = nn.Linear(dim, 1)

    def forward(self, x):
        for w in self.phi:
            x = torch.relu(x @ w)
        return self.rho(x.sum(dim=1))
