import torch
import torch.nn.functional as F
from torch import Tensor


def random_projection(x: Tensor, k: int) -> Tensor:
    proj = Tensor(x.size(-1), k)  # expect: PIN002
    return torch.matmul(x, proj) / k ** 0.5


def jitter(x):
    return F.dropout(x + 0.01 * x.new(x.size(0), x.size(1)), p=0.1)  # expect: PIN002


def safe_shapes(x):
    scratch = torch.FloatTensor(x.size(0), 8)
    assert scratch.shape[0] == x.shape[0]
    return scratch.size(), scratch.dtype
