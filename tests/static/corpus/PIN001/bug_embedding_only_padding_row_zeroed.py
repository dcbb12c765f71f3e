import torch
import torch.nn as nn
import torch.nn.functional as F


class FactorizedEmbedding(nn.Module):
    """ALBERT-style embedding: a small table projected up to the hidden size."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, padding_idx=0):
        super().__init__()
        self.padding_idx = padding_idx
        self.table = nn.Parameter(torch.empty(vocab_size, embed_dim))  # expect: PIN001
        self.proj = nn.Linear(embed_dim, hidden_dim)
        with torch.no_grad():
            self.table[padding_idx].zero_()

    def forward(self, ids):
        return self.proj(F.embedding(ids, self.table, self.padding_idx))
