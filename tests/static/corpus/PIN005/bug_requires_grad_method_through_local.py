# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch import nn

class Prompt(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        tokens = torch.zeros(n, d)
        tokens.requires_grad_()
        # expect-next: PIN005
        self.tokens = tokens
