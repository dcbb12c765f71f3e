import torch
from torch import Tensor
from torch.nn import GRUCell, Parameter
from torch_geometric.nn.conv import MessagePassing
from torch_geometric.nn.inits import uniform


class GatedGraphConvLite(MessagePassing):
    def __init__(self, out_channels: int, num_layers: int, aggr: str = "add", **kwargs):
        super().__init__(aggr=aggr, **kwargs)
        self.out_channels = out_channels
        self.num_layers = num_layers
        self.weight = Parameter(torch.empty(num_layers, out_channels, out_channels))
        self.rnn = GRUCell(out_channels, out_channels)
        self.reset_parameters()

    def reset_parameters(self):
        super().reset_parameters()
        uniform(self.out_channels, self.weight)
        self.rnn.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        for i in range(self.num_layers):
            m = self.propagate(edge_index, x=x @ self.weight[i])
            x = self.rnn(m, x)
        return x

    def message(self, x_j: Tensor) -> Tensor:
        return x_j
