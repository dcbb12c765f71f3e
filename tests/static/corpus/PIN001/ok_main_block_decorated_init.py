import argparse

import torch
import torch.nn as nn


class ResidualMLP(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.weights = nn.Parameter(torch.empty(depth, dim, dim))
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        for w in self.weights:
            x = x + torch.relu(self.norm(x) @ w)
        return x


@torch.no_grad()
def init_all(model, std):
    for p in model.parameters():
        if p.dim() == 3:
            p.normal_(0.0, std)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--depth", type=int, default=8)
    args = parser.parse_args()
    model = ResidualMLP(args.dim, args.depth)
    init_all(model, std=args.dim ** -0.5)
    print(model(torch.randn(4, args.dim)).shape)
