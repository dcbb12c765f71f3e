import math

import torch
from torch import nn


class TwoLayerPerceptron(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(d_hidden, d_in))
        self.b1 = nn.Parameter(torch.empty(d_hidden))
        self.w2 = nn.Parameter(torch.empty(d_out, d_hidden))
        self.b2 = nn.Parameter(torch.empty(d_out))
        for w, b in ((self.w1, self.b1), (self.w2, self.b2)):
            nn.init.kaiming_uniform_(w, a=math.sqrt(5))
            bound = 1 / math.sqrt(w.size(1))
            nn.init.uniform_(b, -bound, bound)

    def forward(self, x):
        return torch.addmm(self.b2, torch.relu(torch.addmm(self.b1, x, self.w1.t())), self.w2.t())
