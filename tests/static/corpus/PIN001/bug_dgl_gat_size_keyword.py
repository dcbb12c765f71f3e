import torch as th
from torch import nn


class GATConvLite(nn.Module):
    def __init__(self, in_feats, out_feats, num_heads, negative_slope=0.2):
        super().__init__()
        self._num_heads = num_heads
        self._out_feats = out_feats
        self.fc = nn.Linear(in_feats, out_feats * num_heads, bias=False)
        self.attn_l = nn.Parameter(th.FloatTensor(size=(1, num_heads, out_feats)))
        self.attn_r = nn.Parameter(th.FloatTensor(size=(1, num_heads, out_feats)))  # expect: PIN001
        self.leaky_relu = nn.LeakyReLU(negative_slope)
        self.reset_parameters()

    def reset_parameters(self):
        gain = nn.init.calculate_gain("relu")
        nn.init.xavier_normal_(self.fc.weight, gain=gain)
        nn.init.xavier_normal_(self.attn_l, gain=gain)

    def forward(self, adj, feat):
        h = self.fc(feat).view(-1, self._num_heads, self._out_feats)
        el = (h * self.attn_l).sum(dim=-1)
        er = (h * self.attn_r).sum(dim=-1)
        e = self.leaky_relu(el.unsqueeze(0) + er.unsqueeze(1))
        e = e.masked_fill(adj.unsqueeze(-1) == 0, float("-inf"))
        return th.einsum("ijh,jhf->ihf", th.softmax(e, dim=1), h)
