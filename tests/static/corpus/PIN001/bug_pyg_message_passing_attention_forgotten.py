import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn import Parameter
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.nn.inits import glorot, zeros
from torch_geometric.utils import softmax


class EdgeGATConv(MessagePassing):
    def __init__(self, in_channels, out_channels, edge_dim, heads=1, negative_slope=0.2, **kwargs):
        super().__init__(aggr="add", node_dim=0, **kwargs)
        self.heads = heads
        self.out_channels = out_channels
        self.negative_slope = negative_slope
        self.lin = Linear(in_channels, heads * out_channels, bias=False, weight_initializer="glorot")
        self.lin_edge = Linear(edge_dim, heads * out_channels, bias=False)
        self.att_src = Parameter(torch.Tensor(1, heads, out_channels))
        self.att_dst = Parameter(torch.Tensor(1, heads, out_channels))
        self.att_edge = Parameter(torch.Tensor(1, heads, out_channels))  # expect: PIN001
        self.bias = Parameter(torch.Tensor(heads * out_channels))
        self.reset_parameters()

    def reset_parameters(self):
        super().reset_parameters()
        self.lin.reset_parameters()
        self.lin_edge.reset_parameters()
        glorot(self.att_src)
        glorot(self.att_dst)
        zeros(self.bias)

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor) -> Tensor:
        h = self.lin(x).view(-1, self.heads, self.out_channels)
        alpha_src = (h * self.att_src).sum(-1)
        alpha_dst = (h * self.att_dst).sum(-1)
        out = self.propagate(edge_index, x=h, alpha=(alpha_src, alpha_dst), edge_attr=edge_attr)
        return out.view(-1, self.heads * self.out_channels) + self.bias

    def message(self, x_j, alpha_j, alpha_i, edge_attr, index, ptr, size_i):
        e = self.lin_edge(edge_attr).view(-1, self.heads, self.out_channels)
        alpha = alpha_j + alpha_i + (e * self.att_edge).sum(-1)
        alpha = softmax(F.leaky_relu(alpha, self.negative_slope), index, ptr, size_i)
        return x_j * alpha.unsqueeze(-1)
