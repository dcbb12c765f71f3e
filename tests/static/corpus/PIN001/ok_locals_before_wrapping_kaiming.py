import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALinear(nn.Module):
    """Linear layer with a low-rank update: W x + (B A) x * alpha / r."""

    def __init__(self, in_features, out_features, r=8, alpha=16):
        super().__init__()
        self.scaling = alpha / r
        weight = torch.empty(out_features, in_features)
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
        self.weight = nn.Parameter(weight, requires_grad=True)
        lora_a = torch.empty(r, in_features)
        nn.init.kaiming_uniform_(lora_a, a=math.sqrt(5))
        self.lora_A = nn.Parameter(lora_a)
        self.lora_B = nn.Parameter(torch.zeros(out_features, r))

    def forward(self, x):
        return F.linear(x, self.weight) + (x @ self.lora_A.t() @ self.lora_B.t()) * self.scaling
