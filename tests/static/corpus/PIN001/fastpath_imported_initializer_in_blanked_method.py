# Full path: nothing (glorot, imported from torch_geometric, counts as an initializer since 4490c3b).
# Fast path: PIN001 on line 18.
# Why: prefilter._prune_class keeps a non-construction method that mentions an assigned key only if
# WRITES matches it, and WRITES knows in-place calls by a trailing underscore (normal_(), init.x_)
# but not the imported initializer helpers InitFlow now accepts (glorot(...), zeros(...),
# he_normal(...), constant_init(...), xavier_init(...)); forward is blanked and its write is lost.
# Suggest: let WRITES match any call whose name InitFlow would accept as an init function (the
# INITIALIZER_WORDS), or compute the method's writes the same way InitFlow does.
import torch
from torch import nn
from torch_geometric.nn.inits import glorot


class DenseGraphConv(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels, channels))

    def forward(self, x, adj):
        if x.requires_grad:
            glorot(self.weight)
        return adj @ x @ self.weight
