# Expected no finding on both paths (load() rebinds self.weight to real data, which InitFlow
# counts as a write from a non-initializer method). Full path: nothing. Fast path: PIN001 on 14.
# Only with the stable rules (the default selection): with ALL_RULES, reads_usage keeps load().
# Why: _prune_class now keeps a key-mentioning method only if WRITES matches it, and
# WRITES has no alternative for a plain attribute assignment `self.weight = ...`, so load()
# is blanked and its rebinding write disappears.
import torch
from torch import nn


class Table(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n))

    def load(self, t):
        self.weight = nn.Parameter(t)
