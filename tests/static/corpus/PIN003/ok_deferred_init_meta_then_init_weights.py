import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SwiGLU(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(hidden_dim, dim))
        self.w2 = nn.Parameter(torch.empty(dim, hidden_dim))
        self.w3 = nn.Parameter(torch.empty(hidden_dim, dim))

    def init_weights(self, init_std):
        nn.init.trunc_normal_(self.w1, mean=0.0, std=0.02)
        for w in (self.w2, self.w3):
            nn.init.trunc_normal_(w, mean=0.0, std=init_std)

    def forward(self, x):
        return F.linear(F.silu(F.linear(x, self.w1)) * F.linear(x, self.w3), self.w2)


class Stack(nn.Module):
    def __init__(self, dim, hidden_dim, n_layers):
        super().__init__()
        self.layers = nn.ModuleList([SwiGLU(dim, hidden_dim) for _ in range(n_layers)])

    def init_weights(self):
        for i, layer in enumerate(self.layers):
            layer.init_weights(0.02 / math.sqrt(2 * (i + 1)))

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x


def build_model(dim, hidden_dim, n_layers, device):
    with torch.device("meta"):
        model = Stack(dim, hidden_dim, n_layers)
    model.to_empty(device=device)
    with torch.no_grad():
        model.init_weights()
    return model
