import torch
from torch import nn
from transformers import PreTrainedModel


class RelativeAttention(nn.Module):
    def __init__(self, d_model, n_head, d_head):
        super().__init__()
        self.r_kernel = nn.Parameter(torch.empty(d_model, n_head, d_head))
        self.seg_embed = nn.Parameter(torch.empty(2, n_head, d_head))

    def forward(self, q, pos):
        return torch.einsum("bind,dnh->bnih", q, self.r_kernel) + self.seg_embed.sum()


class FunnelLikePreTrainedModel(PreTrainedModel):
    def _init_weights(self, module):
        classname = module.__class__.__name__
        if classname.find("Linear") != -1:
            nn.init.normal_(module.weight, std=0.02)
        elif classname == "RelativeAttention":
            nn.init.uniform_(module.r_kernel, b=0.1)
            nn.init.uniform_(module.seg_embed, b=0.1)
