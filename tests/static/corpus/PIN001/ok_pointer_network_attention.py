import torch
import torch.nn as nn
from torch.nn import Parameter


class PointerAttention(nn.Module):
    def __init__(self, input_dim, hidden_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.input_linear = nn.Linear(input_dim, hidden_dim)
        self.context_linear = nn.Conv1d(input_dim, hidden_dim, 1, 1)
        self.V = Parameter(torch.FloatTensor(hidden_dim), requires_grad=True)
        self._inf = Parameter(torch.FloatTensor([float("-inf")]), requires_grad=False)  # expect: PIN004
        nn.init.uniform_(self.V, -1, 1)

    def forward(self, input, context, mask):
        inp = self.input_linear(input).unsqueeze(2).expand(-1, -1, context.size(1))
        ctx = self.context_linear(context.permute(0, 2, 1))
        V = self.V.unsqueeze(0).expand(context.size(0), -1).unsqueeze(1)
        att = torch.bmm(V, torch.tanh(inp + ctx)).squeeze(1)
        if len(att[mask]) > 0:
            att[mask] = self._inf.expand_as(att)[mask]
        alpha = torch.softmax(att, dim=1)
        return torch.bmm(ctx, alpha.unsqueeze(2)).squeeze(2), alpha
