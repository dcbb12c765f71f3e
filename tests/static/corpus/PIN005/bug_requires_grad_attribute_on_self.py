# paraminit-test: select=PIN005,PIN006,PIN105
import torch
import torch.nn as nn

class Temperature(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = torch.ones(1) * 1.5  # expect: PIN005
        self.t.requires_grad = True
