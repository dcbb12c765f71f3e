from typing import Optional

import torch
from torch import Tensor, nn


class Tensorizer:
    """Turns tokenised text into id tensors; holds no parameters."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, tokens) -> Tensor:
        return torch.tensor([self.vocab[t] for t in tokens], dtype=torch.long)


def to_float(x: Tensor) -> Tensor:
    if isinstance(x, torch.Tensor) and x.dtype != torch.float32:
        return x.type(torch.FloatTensor)
    return x


class Scaler(nn.Module):
    def __init__(self, dim: int, init: Optional[Tensor] = None):
        super().__init__()
        self.scale = nn.Parameter(init.clone() if init is not None else torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        return torch.Tensor.mul(x, self.scale)
