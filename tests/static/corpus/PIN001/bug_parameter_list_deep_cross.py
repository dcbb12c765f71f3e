import torch
from torch import nn


class CrossNetwork(nn.Module):
    """Deep & Cross Network cross layers: x_{l+1} = x_0 * (x_l . w_l) + b_l + x_l."""

    def __init__(self, in_features, num_layers=3):
        super().__init__()
        self.num_layers = num_layers
        self.kernels = nn.ParameterList(
            [nn.Parameter(torch.Tensor(in_features, 1)) for _ in range(num_layers)]  # expect: PIN001
        )
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(in_features, 1)) for _ in range(num_layers)])

    def forward(self, inputs):
        x_0 = inputs.unsqueeze(2)
        x_l = x_0
        for i in range(self.num_layers):
            xl_w = torch.tensordot(x_l, self.kernels[i], dims=([1], [0]))
            x_l = torch.matmul(x_0, xl_w) + self.bias[i] + x_l
        return x_l.squeeze(2)
