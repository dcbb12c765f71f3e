import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmdet.registry import MODELS


@MODELS.register_module()
class ScaledFPNHead(BaseModule):
    """Per-level learnable scales; BaseModule.init_weights is run by the runner."""

    def __init__(self, in_channels, num_levels=5, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.convs = nn.ModuleList([ConvModule(in_channels, in_channels, 3, padding=1) for _ in range(num_levels)])
        self.scales = nn.Parameter(torch.empty(num_levels))

    def init_weights(self):
        super().init_weights()
        nn.init.ones_(self.scales)

    def forward(self, feats):
        return [conv(f) * self.scales[i] for i, (conv, f) in enumerate(zip(self.convs, feats))]
