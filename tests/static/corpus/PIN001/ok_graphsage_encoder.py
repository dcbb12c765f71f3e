import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init


class MeanAggregator(nn.Module):
    def __init__(self, features, gcn=False):
        super().__init__()
        self.features = features
        self.gcn = gcn

    def forward(self, nodes, neighbors):
        mask = torch.zeros(len(nodes), len(neighbors))
        for i, nbrs in enumerate(neighbors):
            mask[i, nbrs] = 1.0
        mask = mask / mask.sum(1, keepdim=True).clamp(min=1)
        return mask @ self.features(torch.arange(len(neighbors)))


class Encoder(nn.Module):
    def __init__(self, features, feature_dim, embed_dim, aggregator, gcn=False):
        super().__init__()
        self.features = features
        self.feat_dim = feature_dim
        self.aggregator = aggregator
        self.gcn = gcn
        self.weight = nn.Parameter(torch.FloatTensor(embed_dim, self.feat_dim if self.gcn else 2 * self.feat_dim))
        init.xavier_uniform_(self.weight)

    def forward(self, nodes, neighbors):
        neigh_feats = self.aggregator(nodes, neighbors)
        if not self.gcn:
            combined = torch.cat([self.features(nodes), neigh_feats], dim=1)
        else:
            combined = neigh_feats
        return F.relu(self.weight.mm(combined.t()))
