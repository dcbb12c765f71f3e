import torch
import torch.nn as nn


class BiaffineScorer(nn.Module):
    """Biaffine arc scorer for dependency parsing (Dozat & Manning, 2017)."""

    def __init__(self, in_dim, out_dim=1, bias_x=True, bias_y=True):
        super().__init__()
        self.bias_x = bias_x
        self.bias_y = bias_y
        self.weight = nn.Parameter(torch.Tensor(out_dim, in_dim + bias_x, in_dim + bias_y))
        self.root = nn.Parameter(torch.Tensor(in_dim))
        self.reset_parameters()

    def reset_parameters(self):
        for name, tensor in self.state_dict().items():
            if name.endswith("weight"):
                nn.init.zeros_(tensor)
        nn.init.normal_(tensor=self.root, mean=0.0, std=0.02)

    def forward(self, x, y):
        if self.bias_x:
            x = torch.cat((x, torch.ones_like(x[..., :1])), -1)
        if self.bias_y:
            y = torch.cat((y, torch.ones_like(y[..., :1])), -1)
        return torch.einsum("bxi,oij,byj->boxy", x, self.weight, y).squeeze(1)
