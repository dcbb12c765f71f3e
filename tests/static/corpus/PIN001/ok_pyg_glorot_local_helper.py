import math

import torch
import torch.nn.functional as F
from torch.nn import Module, Parameter


def glorot(tensor):
    if tensor is not None:
        stdv = math.sqrt(6.0 / (tensor.size(-2) + tensor.size(-1)))
        tensor.data.uniform_(-stdv, stdv)


def zeros(tensor):
    if tensor is not None:
        tensor.data.fill_(0)


class GraphAttentionLayer(Module):
    def __init__(self, in_features, out_features, dropout=0.6, alpha=0.2):
        super().__init__()
        self.dropout = dropout
        self.alpha = alpha
        self.W = Parameter(torch.empty(size=(in_features, out_features)))
        self.a = Parameter(torch.empty(size=(2 * out_features, 1)))
        self.bias = Parameter(torch.Tensor(out_features))
        glorot(self.W)
        glorot(self.a)
        zeros(self.bias)

    def forward(self, h, adj):
        Wh = h @ self.W
        n = Wh.size(0)
        e = F.leaky_relu(Wh @ self.a[: Wh.size(1)] + (Wh @ self.a[Wh.size(1) :]).T, self.alpha)
        attention = torch.where(adj > 0, e, torch.full_like(e, -9e15))
        attention = F.dropout(F.softmax(attention, dim=1), self.dropout, training=self.training)
        return attention @ Wh + self.bias
