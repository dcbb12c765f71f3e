import numpy as np
import torch
import torch.nn as nn


class DCTLayer(nn.Module):
    """Fixed-but-finetunable DCT-II basis as the initial weight of a linear map."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self.scale = nn.Parameter(torch.Tensor(n))
        k = np.arange(n)
        basis = np.cos(np.pi / n * (k[None, :] + 0.5) * k[:, None])
        with torch.no_grad():
            self.weight.copy_(torch.from_numpy(basis).float())
        self.scale.data = torch.full((n,), (2.0 / n) ** 0.5)

    def forward(self, x):
        return (x @ self.weight.t()) * self.scale
