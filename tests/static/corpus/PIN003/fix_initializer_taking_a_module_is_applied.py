import torch
from torch import nn

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.token = nn.Parameter(torch.empty(1, 8))  # expect: PIN003

    def _init_weights(self, module):
        nn.init.normal_(self.token, std=0.02)
