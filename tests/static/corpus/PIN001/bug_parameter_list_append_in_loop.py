import torch
import torch.nn as nn
import torch.nn.functional as F


class ChebConv(nn.Module):
    """Chebyshev spectral graph convolution of order K."""

    def __init__(self, in_channels, out_channels, K):
        super().__init__()
        self.K = K
        self.weights = nn.ParameterList()
        for _ in range(K):
            self.weights.append(nn.Parameter(torch.Tensor(in_channels, out_channels)))  # expect: PIN001
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, lap):
        tx_0 = x
        out = tx_0 @ self.weights[0]
        if self.K > 1:
            tx_1 = torch.sparse.mm(lap, x)
            out = out + tx_1 @ self.weights[1]
            for k in range(2, self.K):
                tx_2 = 2 * torch.sparse.mm(lap, tx_1) - tx_0
                out = out + tx_2 @ self.weights[k]
                tx_0, tx_1 = tx_1, tx_2
        return F.relu(out + self.bias)
