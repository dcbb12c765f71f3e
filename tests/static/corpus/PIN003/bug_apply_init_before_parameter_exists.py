"""self.apply(self._init_weights) runs one line too early: prompts does not exist yet, so the
hasattr branch never fires and the prompts keep whatever torch.empty returned."""
import torch
import torch.nn as nn


class PromptedViTHead(nn.Module):
    def __init__(self, dim, num_classes, num_prompts=8):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, num_classes)
        self.apply(self._init_weights)
        self.prompts = nn.Parameter(torch.empty(1, num_prompts, dim))  # expect: PIN003

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        if isinstance(m, PromptedViTHead) and hasattr(m, "prompts"):
            nn.init.normal_(m.prompts, std=0.02)

    def forward(self, tokens):
        x = torch.cat([self.prompts.expand(tokens.size(0), -1, -1), tokens], dim=1)
        return self.fc(self.norm(x).mean(dim=1))


class GatedResidual(nn.Module):
    """reset_parameters() runs before the gate exists; the hasattr guard hides the mistake."""

    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.reset_parameters()
        self.gate = nn.Parameter(torch.empty(dim))  # expect: PIN003

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.proj.weight)
        if hasattr(self, "gate"):
            nn.init.zeros_(self.gate)

    def forward(self, x):
        return x + self.gate * self.proj(x)
