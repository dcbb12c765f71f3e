import torch
import torch.nn as nn


def make_soft_prompt(num_tokens, dim):
    return nn.Parameter(torch.empty(num_tokens, dim))  # expect: PIN001


def make_prefix(num_layers, num_tokens, dim, std=0.02):
    prefix = nn.Parameter(torch.empty(num_layers, 2, num_tokens, dim))
    nn.init.normal_(prefix, std=std)
    return prefix


class PromptedEncoder(nn.Module):
    def __init__(self, encoder, num_tokens=20, dim=768):
        super().__init__()
        self.encoder = encoder
        self.prompt = make_soft_prompt(num_tokens, dim)
        self.prefix = make_prefix(1, num_tokens, dim)

    def forward(self, embeds):
        prompt = self.prompt.unsqueeze(0).expand(embeds.size(0), -1, -1)
        return self.encoder(torch.cat([prompt, embeds], dim=1))
