import torch
import torch.nn as nn
import torch.nn.functional as F


class TiedOrUntiedProjection(nn.Module):
    """Output projection that can share a factorised weight with the input embedding."""

    def __init__(self, vocab_size, d_model, d_proj, factorized=True):
        super().__init__()
        self.factorized = factorized
        if factorized:
            self.proj = nn.Parameter(torch.empty(d_proj, d_model))  # expect: PIN001
            self.out = nn.Parameter(torch.empty(vocab_size, d_proj))  # expect: PIN001
        else:
            self.proj = None
            self.out = nn.Parameter(torch.empty(vocab_size, d_model))
            nn.init.normal_(self.out, std=d_model ** -0.5)

    def forward(self, h):
        if self.proj is not None:
            h = F.linear(h, self.proj)
        return F.linear(h, self.out)
