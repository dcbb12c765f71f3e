import torch
from torch import nn
from torch_geometric.nn.inits import glorot


class DenseGraphConv(nn.Module):
    """Weights are drawn on the first call, once the device and dtype of the inputs are known."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels, channels))
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))

    def forward(self, x, adj):
        if int(self.calls) == 0:
            glorot(self.weight)
        self.calls += 1
        return adj @ x @ self.weight
