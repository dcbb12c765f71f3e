import math

import torch
from torch import nn
import torch.nn.functional as F


class FusedQKV(nn.Module):
    """A projection that supports deferred materialisation on the meta device."""

    def __init__(self, dim, num_heads, bias=False, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.num_heads = num_heads
        self.weight = nn.Parameter(torch.empty((3 * dim, dim), **factory_kwargs))
        if bias:
            self.bias = nn.Parameter(torch.empty(3 * dim, **factory_kwargs))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        b, t, _ = x.shape
        qkv = F.linear(x, self.weight, self.bias).view(b, t, 3, self.num_heads, -1)
        q, k, v = qkv.unbind(2)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))


def build_on_meta(dim, heads, device):
    with torch.device("meta"):
        layer = FusedQKV(dim, heads, bias=True)
    layer = layer.to_empty(device=device)
    layer.reset_parameters()
    return layer
