from functools import partial

import torch
import torch.nn as nn


class MLPMixerBlock(nn.Module):
    def __init__(self, num_tokens, dim, token_hidden, channel_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.token_w1 = nn.Parameter(torch.empty(token_hidden, num_tokens))
        self.token_w2 = nn.Parameter(torch.empty(num_tokens, token_hidden))
        self.channel_w1 = nn.Parameter(torch.empty(channel_hidden, dim))
        self.channel_w2 = nn.Parameter(torch.empty(dim, channel_hidden))
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(n)) for n in (token_hidden, num_tokens, channel_hidden, dim)])
        init_ = partial(nn.init.trunc_normal_, std=0.02)
        init_(self.token_w1)
        init_(self.token_w2)
        [nn.init.xavier_uniform_(w) for w in (self.channel_w1, self.channel_w2)]

    def forward(self, x):
        b1, b2, b3, b4 = self.biases
        y = self.norm1(x).transpose(1, 2)
        y = torch.nn.functional.gelu(y @ self.token_w1.t() + b1) @ self.token_w2.t() + b2
        x = x + y.transpose(1, 2)
        y = torch.nn.functional.gelu(self.norm2(x) @ self.channel_w1.t() + b3) @ self.channel_w2.t() + b4
        return x + y
