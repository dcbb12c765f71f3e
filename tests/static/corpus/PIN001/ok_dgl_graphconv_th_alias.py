import torch as th
from torch import nn
from torch.nn import init


class RelGraphConvLayer(nn.Module):
    def __init__(self, in_feat, out_feat, rel_names, num_bases, self_loop=True, dropout=0.0):
        super().__init__()
        self.rel_names = rel_names
        self.num_bases = num_bases
        self.self_loop = self_loop
        self.basis = nn.Parameter(th.Tensor(num_bases, in_feat, out_feat))
        self.w_comp = nn.Parameter(th.Tensor(len(rel_names), num_bases))
        init.xavier_uniform_(self.basis, gain=init.calculate_gain("relu"))
        init.xavier_uniform_(self.w_comp, gain=init.calculate_gain("relu"))
        if self.self_loop:
            self.loop_weight = nn.Parameter(th.Tensor(in_feat, out_feat))
            nn.init.xavier_uniform_(self.loop_weight, gain=nn.init.calculate_gain("relu"))
        self.h_bias = nn.Parameter(th.Tensor(out_feat))
        nn.init.zeros_(self.h_bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, adjs, x):
        weight = th.einsum("rb,bio->rio", self.w_comp, self.basis)
        h = sum(th.sparse.mm(adj, x) @ weight[i] for i, adj in enumerate(adjs))
        if self.self_loop:
            h = h + x @ self.loop_weight
        return self.dropout(th.relu(h + self.h_bias))
