# Laid out like a model file inside transformers v5, which initializes through its own
# `initialization` module instead of touching .data.
import torch
from torch import nn

from ... import initialization as init
from ...modeling_utils import PreTrainedModel
from .configuration_tiny import TinyConfig


class TinyRotaryEmbedding(nn.Module):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.dim = config.hidden_size // config.num_attention_heads
        self.base = config.rope_theta
        self.register_buffer("inv_freq", torch.empty(self.dim // 2), persistent=False)

    def compute_inv_freq(self):
        return 1.0 / (self.base ** (torch.arange(0, self.dim, 2, dtype=torch.float) / self.dim))

    def forward(self, positions):
        freqs = positions[..., None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()


class TinyLayerScale(nn.Module):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.lambda1 = nn.Parameter(torch.empty(config.hidden_size))

    def forward(self, x):
        return x * self.lambda1


class TinyPreTrainedModel(PreTrainedModel):
    config_class = TinyConfig
    base_model_prefix = "model"

    @torch.no_grad()
    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, TinyRotaryEmbedding):
            init.copy_(module.inv_freq, module.compute_inv_freq())
        elif isinstance(module, TinyLayerScale):
            init.constant_(module.lambda1, self.config.layerscale_value)
