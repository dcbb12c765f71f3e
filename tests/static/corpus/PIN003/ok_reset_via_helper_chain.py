import torch
import torch.nn as nn


class RelationalGraphConv(nn.Module):
    """R-GCN layer with basis decomposition."""

    def __init__(self, in_dim, out_dim, num_relations, num_bases):
        super().__init__()
        self.num_relations = num_relations
        self.num_bases = num_bases
        self.bases = nn.Parameter(torch.Tensor(num_bases, in_dim, out_dim))
        self.coefficients = nn.Parameter(torch.Tensor(num_relations, num_bases))
        self.root = nn.Parameter(torch.Tensor(in_dim, out_dim))
        self._setup()

    def _setup(self):
        self.reset_parameters()

    def reset_parameters(self):
        for p in self.parameters():
            nn.init.xavier_uniform_(p)

    def forward(self, x, adjs):
        weights = torch.einsum("rb,bio->rio", self.coefficients, self.bases)
        out = x @ self.root
        for r, adj in enumerate(adjs):
            out = out + torch.sparse.mm(adj, x @ weights[r])
        return out
