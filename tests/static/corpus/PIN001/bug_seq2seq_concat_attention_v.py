import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    """Luong attention scores: dot, general or concat."""

    def __init__(self, method, hidden_size):
        super().__init__()
        if method not in ("dot", "general", "concat"):
            raise ValueError(method, "is not an appropriate attention method.")
        self.method = method
        self.hidden_size = hidden_size
        if self.method == "general":
            self.attn = nn.Linear(hidden_size, hidden_size)
        elif self.method == "concat":
            self.attn = nn.Linear(hidden_size * 2, hidden_size)
            self.v = nn.Parameter(torch.FloatTensor(hidden_size))  # expect: PIN001

    def score(self, hidden, encoder_output):
        if self.method == "dot":
            return torch.sum(hidden * encoder_output, dim=2)
        if self.method == "general":
            return torch.sum(hidden * self.attn(encoder_output), dim=2)
        energy = self.attn(torch.cat((hidden.expand(encoder_output.size(0), -1, -1), encoder_output), 2)).tanh()
        return torch.sum(self.v * energy, dim=2)

    def forward(self, hidden, encoder_outputs):
        attn_energies = self.score(hidden, encoder_outputs).t()
        return F.softmax(attn_energies, dim=1).unsqueeze(1)
