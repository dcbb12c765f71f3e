import torch
from torch import nn


class Fp8Linear(nn.Module):
    """Inference-only FP8 linear: weights and per-channel scales come from the checkpoint."""

    def __init__(self, in_features, out_features, bias=False, device=None):
        super().__init__()
        self.weight = nn.Parameter(
            torch.empty(out_features, in_features, dtype=torch.float8_e4m3fn, device=device), requires_grad=False
        )
        self.weight_scale = nn.Parameter(torch.empty(out_features, 1, dtype=torch.float32, device=device))
        self.input_scale = nn.Parameter(torch.empty((), dtype=torch.float32, device=device))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, dtype=torch.bfloat16, device=device))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        x_q = (x / self.input_scale).clamp(-448, 448).to(torch.float8_e4m3fn)
        out = torch._scaled_mm(x_q, self.weight.t(), scale_a=self.input_scale, scale_b=self.weight_scale.t(), out_dtype=x.dtype)
        return out + self.bias if self.bias is not None else out
