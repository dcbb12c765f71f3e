import math

import torch
import torch.nn as nn


class QuantLinear(nn.Module):
    """4-bit GPTQ linear: every buffer is filled from a quantized checkpoint."""

    def __init__(self, bits, group_size, in_features, out_features, bias=True):
        super().__init__()
        self.bits = bits
        self.group_size = group_size if group_size != -1 else in_features
        self.in_features = in_features
        self.out_features = out_features
        self.maxq = 2 ** bits - 1
        pack = 32 // bits
        self.register_buffer("qweight", torch.empty((in_features // pack, out_features), dtype=torch.int32))
        self.register_buffer(
            "qzeros",
            torch.empty((math.ceil(in_features / self.group_size), out_features // pack), dtype=torch.int32),
        )
        self.register_buffer(
            "scales", torch.empty((math.ceil(in_features / self.group_size), out_features), dtype=torch.float16)
        )
        self.register_buffer("g_idx", torch.tensor([i // self.group_size for i in range(in_features)], dtype=torch.int32))
        if bias:
            self.register_buffer("bias", torch.empty(out_features, dtype=torch.float16))
        else:
            self.bias = None

    def forward(self, x):
        shifts = torch.arange(0, 32, self.bits, device=x.device, dtype=torch.int32)
        w = (self.qweight.unsqueeze(1) >> shifts.view(1, -1, 1)) & self.maxq
        w = w.reshape(self.in_features, self.out_features)
        z = (self.qzeros.unsqueeze(2) >> shifts.view(1, 1, -1)) & self.maxq
        z = z.reshape(self.scales.shape)
        w = (w - z[self.g_idx] - 1) * self.scales[self.g_idx]
        out = x.to(w.dtype) @ w
        return out + self.bias if self.bias is not None else out
