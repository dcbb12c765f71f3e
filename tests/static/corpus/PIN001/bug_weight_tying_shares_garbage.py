import torch
import torch.nn as nn
import torch.nn.functional as F


class TiedLanguageModel(nn.Module):
    def __init__(self, vocab_size, d_model, n_layers=4, n_heads=8):
        super().__init__()
        self.shared = nn.Parameter(torch.empty(vocab_size, d_model))  # expect: PIN001
        layer = nn.TransformerEncoderLayer(d_model, n_heads, 4 * d_model, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layers)
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        self.lm_head.weight = self.shared

    def forward(self, idx):
        t = idx.size(1)
        mask = torch.triu(torch.full((t, t), float("-inf"), device=idx.device), diagonal=1)
        h = self.blocks(F.embedding(idx, self.shared), mask=mask, is_causal=True)
        return self.lm_head(self.ln_f(h))
