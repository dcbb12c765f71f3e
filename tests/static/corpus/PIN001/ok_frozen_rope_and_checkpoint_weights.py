import torch
from torch import nn


class FrozenEmbeddingBag(nn.Module):
    """Pretrained embeddings loaded from disk; never trained, never randomly initialized."""

    def __init__(self, num_embeddings, embedding_dim, path):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim), requires_grad=False)
        self.offset = nn.Parameter(torch.empty(embedding_dim), requires_grad=False)
        self.path = path

    def load(self):
        state = torch.load(self.path, map_location="cpu")
        self.weight.copy_(state["weight"])
        self.offset.copy_(state["offset"])

    def forward(self, ids, offsets):
        return nn.functional.embedding_bag(ids, self.weight, offsets, mode="mean") + self.offset
