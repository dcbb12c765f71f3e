import torch
from torch import nn


class ShardedEmbedding(nn.Module):
    """Placeholder weights on the meta device; the real shard is assigned at load time."""

    def __init__(self, num_embeddings, embedding_dim, world_size):
        super().__init__()
        self.shard_rows = num_embeddings // world_size
        self.weight = nn.Parameter(torch.empty(self.shard_rows, embedding_dim, device="meta"))

    def load_shard(self, tensor):
        self.weight = nn.Parameter(tensor.contiguous())

    def forward(self, ids):
        return nn.functional.embedding(ids, self.weight)
