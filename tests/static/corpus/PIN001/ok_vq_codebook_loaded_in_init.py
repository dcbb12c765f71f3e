import torch
import torch.nn as nn
import torch.nn.functional as F


class FrozenCodebook(nn.Module):
    """VQ codebook restored from a trained tokenizer checkpoint as part of construction."""

    def __init__(self, num_codes, code_dim, checkpoint_path):
        super().__init__()
        self.embedding = nn.Parameter(torch.empty(num_codes, code_dim))
        self.register_buffer("usage", torch.zeros(num_codes))
        self.load_state_dict(torch.load(checkpoint_path, map_location="cpu"))

    def forward(self, z):
        d = (z.pow(2).sum(-1, keepdim=True) - 2 * z @ self.embedding.t() + self.embedding.pow(2).sum(-1))
        idx = d.argmin(-1)
        z_q = F.embedding(idx, self.embedding)
        return z + (z_q - z).detach(), idx
