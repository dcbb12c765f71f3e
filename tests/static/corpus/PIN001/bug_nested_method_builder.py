import torch
import torch.nn as nn


class HyperNetworkLayer(nn.Module):
    """Generates the weights of a target layer from a task embedding."""

    def __init__(self, task_dim, in_dim, out_dim):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self._build_generators(task_dim)
        self.task_bias = nn.Parameter(torch.zeros(out_dim))

    def _build_generators(self, task_dim):
        self.w_gen = nn.Parameter(torch.empty(task_dim, self.in_dim * self.out_dim))  # expect: PIN001
        self.b_gen = nn.Parameter(torch.empty(task_dim, self.out_dim))
        nn.init.zeros_(self.b_gen)

    def forward(self, x, task_emb):
        w = (task_emb @ self.w_gen).view(-1, self.out_dim, self.in_dim)
        b = task_emb @ self.b_gen + self.task_bias
        return torch.bmm(w, x.unsqueeze(-1)).squeeze(-1) + b
