import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import Parameter


class IndRNNCell(nn.Module):
    """Independently recurrent cell: h_t = relu(W x_t + u * h_{t-1} + b)."""

    def __init__(self, input_size, hidden_size, hidden_max_abs=None, recurrent_init=None):
        super().__init__()
        self.hidden_max_abs = hidden_max_abs
        self.recurrent_init = recurrent_init
        self.weight_ih = Parameter(torch.Tensor(hidden_size, input_size))
        self.weight_hh = Parameter(torch.Tensor(hidden_size))
        self.bias_ih = Parameter(torch.Tensor(hidden_size))
        self.reset_parameters()

    def check_bounds(self):
        if self.hidden_max_abs:
            self.weight_hh.data.clamp_(-self.hidden_max_abs, self.hidden_max_abs)

    def reset_parameters(self):
        for name, weight in self.named_parameters():
            if "bias" in name:
                weight.data.zero_()
            elif "weight_hh" in name:
                if self.recurrent_init is None:
                    nn.init.uniform_(weight, a=0, b=1)
                else:
                    self.recurrent_init(weight)
            elif "weight_ih" in name:
                nn.init.normal_(weight, 0, 0.01)
        self.check_bounds()

    def forward(self, x, hx):
        return F.relu(F.linear(x, self.weight_ih, self.bias_ih) + self.weight_hh * hx)
