"""The same head done right, three ways: apply after the prompts exist; apply too early but
a direct init after creation; an initializer called both before and after (the later call reaches them)."""
import torch
import torch.nn as nn


class ApplyAfter(nn.Module):
    def __init__(self, dim, num_prompts=8):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.prompts = nn.Parameter(torch.empty(1, num_prompts, dim))
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, ApplyAfter):
            nn.init.normal_(m.prompts, std=0.02)


class ApplyEarlyThenDirect(nn.Module):
    def __init__(self, dim, num_prompts=8):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.apply(self._init_weights)
        self.prompts = nn.Parameter(torch.empty(1, num_prompts, dim))
        nn.init.normal_(self.prompts, std=0.02)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)


class ApplyTwice(nn.Module):
    def __init__(self, dim, num_prompts=8):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.reset_parameters()
        self.prompts = nn.Parameter(torch.empty(1, num_prompts, dim))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.trunc_normal_(self.fc.weight, std=0.02)
        if hasattr(self, "prompts"):
            nn.init.normal_(self.prompts, std=0.02)
