import torch
import torch.nn as nn


class FeaturesLinear(nn.Module):
    def __init__(self, field_dims, output_dim=1):
        super().__init__()
        self.fc = nn.Embedding(sum(field_dims), output_dim)
        self.bias = nn.Parameter(torch.Tensor(output_dim))  # expect: PIN001
        offsets = [0]
        for d in field_dims[:-1]:
            offsets.append(offsets[-1] + d)
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.long))

    def forward(self, x):
        return torch.sum(self.fc(x + self.offsets), dim=1) + self.bias


class DeepFM(nn.Module):
    def __init__(self, field_dims, embed_dim, mlp_dims, dropout):
        super().__init__()
        self.linear = FeaturesLinear(field_dims)
        self.embedding = nn.Embedding(sum(field_dims), embed_dim)
        layers, in_dim = [], len(field_dims) * embed_dim
        for d in mlp_dims:
            layers += [nn.Linear(in_dim, d), nn.BatchNorm1d(d), nn.ReLU(), nn.Dropout(dropout)]
            in_dim = d
        self.mlp = nn.Sequential(*layers, nn.Linear(in_dim, 1))
        self.register_buffer("offsets", self.linear.offsets.clone())

    def forward(self, x):
        emb = self.embedding(x + self.offsets)
        fm = 0.5 * (emb.sum(1) ** 2 - (emb ** 2).sum(1)).sum(1, keepdim=True)
        return torch.sigmoid((self.linear(x) + fm + self.mlp(emb.flatten(1))).squeeze(1))
