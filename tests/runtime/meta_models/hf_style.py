"""Hugging Face layout: a pretrained base whose _init_weights is applied to every module; the
CLIP-style logit_scale is set in __init__ and _init_weights never writes it."""

import math

import torch
from torch import nn

INITIALIZER = "_init_weights"
ARGS = (16, 8)
LEFT_BEHIND = {("DualEncoder", "logit_scale")}


class PreTrained(nn.Module):
    def post_init(self):
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=0.02)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.LayerNorm):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()


class DualEncoder(PreTrained):
    def __init__(self, text_dim, proj_dim):
        super().__init__()
        self.text_projection = nn.Linear(text_dim, proj_dim, bias=False)
        self.visual_projection = nn.Linear(text_dim, proj_dim, bias=False)
        self.norm = nn.LayerNorm(proj_dim)
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        self.post_init()

    def forward(self, text, image):
        t = self.norm(self.text_projection(text))
        i = self.norm(self.visual_projection(image))
        return self.logit_scale.exp() * t @ i.t()
