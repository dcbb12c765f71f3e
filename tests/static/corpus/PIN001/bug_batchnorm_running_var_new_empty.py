import torch
from torch import nn


class MaskedBatchNorm1d(nn.Module):
    """Batch norm over padded sequences: statistics ignore masked positions."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", self.running_mean.new_empty(num_features))  # expect: PIN001
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x, mask):
        if self.training:
            m = mask.unsqueeze(-1).to(x.dtype)
            n = m.sum()
            mean = (x * m).sum(dim=(0, 1)) / n
            var = (((x - mean) ** 2) * m).sum(dim=(0, 1)) / n
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
