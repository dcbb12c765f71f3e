import math

import torch
from torch import nn
from transformers import PreTrainedModel
from transformers.configuration_utils import PretrainedConfig


class AlibiConfig(PretrainedConfig):
    model_type = "alibi-lm"

    def __init__(self, vocab_size=32000, hidden_size=512, num_heads=8, num_layers=4, initializer_range=0.02, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_heads = num_heads
        self.num_layers = num_layers
        self.initializer_range = initializer_range
        super().__init__(**kwargs)


class AlibiSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_heads = config.num_heads
        self.head_dim = config.hidden_size // config.num_heads
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.o_proj = nn.Linear(config.hidden_size, config.hidden_size)
        self.slopes = nn.Parameter(torch.empty(config.num_heads))  # expect: PIN001

    def forward(self, hidden_states):
        b, t, _ = hidden_states.shape
        q, k, v = self.qkv(hidden_states).view(b, t, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        pos = torch.arange(t, device=hidden_states.device)
        bias = -(pos[None, :] - pos[:, None]).abs().float()
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + self.slopes.view(1, -1, 1, 1) * bias
        out = scores.softmax(-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


class AlibiPreTrainedModel(PreTrainedModel):
    config_class = AlibiConfig
    base_model_prefix = "alibi"

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)


class AlibiModel(AlibiPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([AlibiSelfAttention(config) for _ in range(config.num_layers)])
        self.post_init()

    def forward(self, input_ids):
        h = self.embed_tokens(input_ids)
        for layer in self.layers:
            h = h + layer(h)
        return h
