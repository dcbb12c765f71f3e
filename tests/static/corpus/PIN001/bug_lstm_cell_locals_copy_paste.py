import math

import torch
from torch import nn
from torch.nn import Parameter as P


class LayerNormLSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        w_ih = torch.empty(4 * hidden_size, input_size)
        w_hh = torch.empty(4 * hidden_size, hidden_size)  # expect: PIN001
        stdv = 1.0 / math.sqrt(hidden_size)
        nn.init.uniform_(w_ih, -stdv, stdv)
        nn.init.uniform_(w_ih, -stdv, stdv)
        self.weight_ih = P(w_ih)
        self.weight_hh = P(w_hh)
        self.ln_ih = nn.LayerNorm(4 * hidden_size)
        self.ln_hh = nn.LayerNorm(4 * hidden_size)
        self.ln_c = nn.LayerNorm(hidden_size)

    def forward(self, x, state):
        hx, cx = state
        gates = self.ln_ih(x @ self.weight_ih.t()) + self.ln_hh(hx @ self.weight_hh.t())
        i, f, g, o = gates.chunk(4, 1)
        cy = torch.sigmoid(f) * cx + torch.sigmoid(i) * torch.tanh(g)
        hy = torch.sigmoid(o) * torch.tanh(self.ln_c(cy))
        return hy, (hy, cy)
