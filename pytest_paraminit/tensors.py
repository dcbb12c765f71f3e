"""Which parameters have values to judge: lazy, meta, nested, distributed, quantized, sparse, complex and integer
ones do not."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils._python_dispatch import is_traceable_wrapper_subclass


def is_lazy(tensor: torch.Tensor) -> bool:
    """A lazy module's parameter or buffer: no shape and no storage until the first forward call."""
    return isinstance(tensor, nn.parameter.UninitializedTensorMixin)


def skip_reason(tensor: torch.Tensor) -> str | None:
    """Why the values of ``tensor`` cannot be judged, or ``None`` when they can."""
    if is_lazy(tensor):
        return "lazy (shape unknown until the first forward call)"
    if tensor.is_nested:
        return "nested tensor (values not judged)"
    if is_traceable_wrapper_subclass(tensor):
        # a DTensor's values live in shards (on other ranks too); other wrappers hold packed data
        kind = type(tensor).__name__
        return f"{kind} (distributed: shards not judged yet)" if kind == "DTensor" else f"tensor subclass {kind}"
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
