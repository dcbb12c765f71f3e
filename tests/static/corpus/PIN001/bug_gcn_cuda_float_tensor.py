import torch
import torch.nn as nn


class GraphConvolution(nn.Module):
    """Kipf & Welling GCN layer, written for GPU-only training."""

    def __init__(self, in_features, out_features, bias=True):
        super(GraphConvolution, self).__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.cuda.FloatTensor(in_features, out_features))  # expect: PIN001
        if bias:
            self.bias = nn.Parameter(torch.cuda.FloatTensor(out_features))  # expect: PIN001
        else:
            self.register_parameter("bias", None)

    def forward(self, input, adj):
        support = torch.mm(input, self.weight)
        output = torch.spmm(adj, support)
        if self.bias is not None:
            return output + self.bias
        return output

    def __repr__(self):
        return f"{self.__class__.__name__} ({self.in_features} -> {self.out_features})"
