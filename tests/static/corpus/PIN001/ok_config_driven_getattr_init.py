import torch
import torch.nn as nn


class ConfigurableLinear(nn.Module):
    def __init__(self, in_features, out_features, init="xavier_uniform", init_kwargs=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        getattr(nn.init, f"{init}_")(self.weight, **(init_kwargs or {}))
        nn.init.zeros_(self.bias)

    def forward(self, x):
        return torch.addmm(self.bias, x, self.weight.t())
