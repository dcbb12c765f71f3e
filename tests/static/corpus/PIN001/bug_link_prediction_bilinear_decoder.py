import torch
from torch import nn


class DistMultDecoder(nn.Module):
    def __init__(self, num_relations, hidden_channels):
        super().__init__()
        self.rel_emb = nn.Parameter(torch.Tensor(num_relations, hidden_channels))
        nn.init.xavier_uniform_(self.rel_emb)

    def forward(self, z, edge_index, edge_type):
        return torch.sum(z[edge_index[0]] * self.rel_emb[edge_type] * z[edge_index[1]], dim=1)


class BilinearDecoder(nn.Module):
    def __init__(self, num_relations, hidden_channels):
        super().__init__()
        self.rel_mats = nn.Parameter(torch.Tensor(num_relations, hidden_channels, hidden_channels))  # expect: PIN001

    def forward(self, z, edge_index, edge_type):
        src = z[edge_index[0]].unsqueeze(1)
        dst = z[edge_index[1]].unsqueeze(2)
        return torch.bmm(torch.bmm(src, self.rel_mats[edge_type]), dst).view(-1)
