# paraminit-test: select=PIN003
import torch
from torch import nn


class Highway(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.H = nn.Parameter(torch.Tensor(size, size))  # expect: PIN003
        self.T = nn.Parameter(torch.Tensor(size, size))
        self.b_T = nn.Parameter(torch.Tensor(size))

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.H)

    def forward(self, x):
        t = torch.sigmoid(x @ self.T + self.b_T)
        return t * torch.relu(x @ self.H) + (1 - t) * x
