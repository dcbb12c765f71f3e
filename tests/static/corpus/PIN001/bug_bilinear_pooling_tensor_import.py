import math

from torch import Tensor, nn
import torch


class BilinearPooling(nn.Module):
    """Low-rank bilinear pooling of two feature vectors (Kim et al., 2017)."""

    def __init__(self, dim_x: int, dim_y: int, rank: int, out_dim: int) -> None:
        super().__init__()
        self.U = nn.Parameter(Tensor(dim_x, rank))  # expect: PIN001
        self.V = nn.Parameter(Tensor(dim_y, rank))  # expect: PIN001
        self.P = nn.Parameter(Tensor(rank, out_dim))
        self.bias = nn.Parameter(Tensor(out_dim))
        bound = 1 / math.sqrt(rank)
        nn.init.uniform_(self.P, -bound, bound)
        nn.init.zeros_(self.bias)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        joint = torch.tanh(x @ self.U) * torch.tanh(y @ self.V)
        return joint @ self.P + self.bias
