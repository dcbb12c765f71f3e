import torch
from torch import nn


class ModelEMA(nn.Module):
    def __init__(self, model, decay=0.9999):
        super().__init__()
        self.decay = decay
        for name, p in model.named_parameters():
            shadow = torch.empty_like(p)
            shadow.copy_(p.detach())
            self.register_buffer(name.replace(".", "_"), shadow)

    @torch.no_grad()
    def update(self, model):
        for name, p in model.named_parameters():
            getattr(self, name.replace(".", "_")).lerp_(p.detach(), 1 - self.decay)
