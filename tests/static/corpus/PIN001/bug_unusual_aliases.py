import torch as T
import torch.nn as tnn
from torch import empty as raw_empty
from torch.nn import parameter as tparam
from torch.nn.modules.module import Module as BaseModule


class RecurrentHighwayCell(BaseModule):
    def __init__(self, input_size, hidden_size, depth=3):
        super().__init__()
        self.depth = depth
        self.W_h = tnn.Parameter(T.empty(input_size, hidden_size))
        self.W_t = tparam.Parameter(raw_empty(input_size, hidden_size))  # expect: PIN001
        self.R_h = tnn.parameter.Parameter(T.FloatTensor(depth, hidden_size, hidden_size))  # expect: PIN001
        self.R_t = T.nn.Parameter(T.cuda.HalfTensor(depth, hidden_size, hidden_size))  # expect: PIN001
        tnn.init.orthogonal_(self.W_h)

    def forward(self, x, s):
        for layer in range(self.depth):
            h_in = self.R_h[layer]
            t_in = self.R_t[layer].float()
            if layer == 0:
                h = T.tanh(x @ self.W_h + s @ h_in)
                t = T.sigmoid(x @ self.W_t + s @ t_in)
            else:
                h = T.tanh(s @ h_in)
                t = T.sigmoid(s @ t_in)
            s = h * t + s * (1 - t)
        return s
