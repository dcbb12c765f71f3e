# paraminit-test: select=PIN005,PIN006,PIN105
import torch
import torch.nn as nn

class Encoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self._build(d)

    def _build(self, d):
        self.pair = nn.ModuleList([nn.Conv1d(d, d, 3), nn.Conv1d(d, d, 5)])  # expect: PIN006
        self.scale = nn.Parameter(torch.full((d,), 0.1))  # expect: PIN005
