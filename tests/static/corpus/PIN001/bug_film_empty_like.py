import torch
from torch import nn


class ConditionalLayerNorm(nn.Module):
    """Layer norm whose gain and shift are predicted from a conditioning vector."""

    def __init__(self, normalized_shape, cond_dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.ln = nn.LayerNorm(normalized_shape, elementwise_affine=False)
        self.to_gamma = nn.Linear(cond_dim, normalized_shape)
        self.to_beta = nn.Linear(cond_dim, normalized_shape)
        self.gamma_bias = nn.Parameter(torch.empty_like(self.to_gamma.bias))  # expect: PIN001
        self.beta_bias = nn.Parameter(torch.zeros_like(self.to_beta.bias))

    def forward(self, x, cond):
        gamma = self.to_gamma(cond) + self.gamma_bias
        beta = self.to_beta(cond) + self.beta_bias
        return self.ln(x) * gamma.unsqueeze(1) + beta.unsqueeze(1)
