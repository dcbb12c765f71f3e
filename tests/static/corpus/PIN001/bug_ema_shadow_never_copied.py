import torch
from torch import nn


class ModelEMA(nn.Module):
    """Exponential moving average of a model's parameters, kept as buffers."""

    def __init__(self, model, decay=0.9999):
        super().__init__()
        self.decay = decay
        self.names = [name for name, _ in model.named_parameters()]
        for name, p in model.named_parameters():
            self.register_buffer(name.replace(".", "_"), torch.empty_like(p), persistent=True)  # expect: PIN001

    @torch.no_grad()
    def update(self, model):
        for name, p in model.named_parameters():
            shadow = getattr(self, name.replace(".", "_"))
            shadow.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)

    @torch.no_grad()
    def copy_to(self, model):
        for name, p in model.named_parameters():
            p.copy_(getattr(self, name.replace(".", "_")))
