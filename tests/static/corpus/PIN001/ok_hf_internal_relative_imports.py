# A model file laid out like those inside the transformers package itself.
import torch
from torch import nn

from ...activations import ACT2FN
from ...modeling_utils import PreTrainedModel
from .configuration_gated import GatedConfig


class GatedLayerScale(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.scale = nn.Parameter(torch.empty(config.hidden_size))

    def forward(self, x):
        return x * self.scale


class GatedMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.gate_up = nn.Linear(config.hidden_size, 2 * config.intermediate_size, bias=False)
        self.down = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)
        self.act = ACT2FN[config.hidden_act]
        self.layer_scale = GatedLayerScale(config)

    def forward(self, x):
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.layer_scale(self.down(self.act(gate) * up))


class GatedPreTrainedModel(PreTrainedModel):
    config_class = GatedConfig
    base_model_prefix = "model"
    _no_split_modules = ["GatedMLP"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, GatedLayerScale):
            module.scale.data.fill_(self.config.layer_scale_init_value)


class GatedModel(GatedPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size)
        self.mlps = nn.ModuleList([GatedMLP(config) for _ in range(config.num_hidden_layers)])
        self.post_init()

    def forward(self, input_ids):
        h = self.embed(input_ids)
        for mlp in self.mlps:
            h = h + mlp(h)
        return h
