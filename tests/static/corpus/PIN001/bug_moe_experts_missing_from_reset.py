import math

import torch
import torch.nn.functional as F
from torch import nn


class SparseMoE(nn.Module):
    """Top-k routed feed-forward experts stored as batched weight tensors."""

    def __init__(self, d_model, d_ff, num_experts=8, top_k=2):
        super().__init__()
        self.num_experts = num_experts
        self.top_k = top_k
        self.gate = nn.Parameter(torch.empty(d_model, num_experts))
        self.w_in = nn.Parameter(torch.empty(num_experts, d_model, d_ff))
        self.w_out = nn.Parameter(torch.empty(num_experts, d_ff, d_model))  # expect: PIN001
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.normal_(self.gate, std=0.02)
        for e in range(self.num_experts):
            nn.init.kaiming_uniform_(self.w_in[e], a=math.sqrt(5))

    def forward(self, x):
        logits = x @ self.gate
        weights, idx = torch.topk(F.softmax(logits, dim=-1), self.top_k, dim=-1)
        out = torch.zeros_like(x)
        for slot in range(self.top_k):
            w_in = self.w_in[idx[..., slot]]
            w_out = self.w_out[idx[..., slot]]
            h = F.gelu(torch.einsum("bd,bdf->bf", x, w_in))
            out = out + weights[..., slot, None] * torch.einsum("bf,bfd->bd", h, w_out)
        return out
