import torch
from torch import nn


class FrozenTokenizerCodebook(nn.Module):
    def __init__(self, num_codes, dim):
        super().__init__()
        self.codes = nn.Parameter(torch.empty(num_codes, dim))

    def load_pretrained(self, path):
        self.load_state_dict(torch.load(path, map_location="cpu"))
        return self

    def forward(self, idx):
        return self.codes[idx]
