import torch
from torch import nn


class MultiTaskHeads(nn.Module):
    def __init__(self, hidden, tasks):
        super().__init__()
        self.heads = nn.ParameterDict({name: nn.Parameter(torch.empty(n_out, hidden)) for name, n_out in tasks.items()})
        self.biases = nn.ParameterDict({name: nn.Parameter(torch.zeros(n_out)) for name, n_out in tasks.items()})
        for weight in self.heads.values():
            nn.init.xavier_uniform_(weight)

    def forward(self, h, task):
        return h @ self.heads[task].t() + self.biases[task]
