"""Which parameters have values to judge: lazy, meta, nested, quantized, sparse, complex and integer ones do not."""

from __future__ import annotations

import torch
from torch import nn


def is_lazy(tensor: torch.Tensor) -> bool:
    """A lazy module's parameter or buffer: no shape and no storage until the first forward call."""
    return isinstance(tensor, nn.parameter.UninitializedTensorMixin)


def skip_reason(tensor: torch.Tensor) -> str | None:
    """Why the values of ``tensor`` cannot be judged, or ``None`` when they can."""
    if is_lazy(tensor):
        return "lazy (shape unknown until the first forward call)"
    if tensor.is_nested:
        return "nested tensor (values not judged)"
    if tensor.device.type == "meta":
        return "meta tensor (no values; use the deferred check)"
    if tensor.is_quantized:
        return f"quantized dtype {tensor.dtype}"
    if tensor.layout != torch.strided:
        return f"{tensor.layout} layout"
    if tensor.is_complex():
        return f"complex dtype {tensor.dtype}"
    if not tensor.is_floating_point():
        return f"{tensor.dtype} dtype (integer/bool: values not judged)"
    return None
