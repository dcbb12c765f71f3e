"""Which parameters have values to judge: lazy, meta, nested, distributed, quantized, sparse, complex and integer
ones do not."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils._python_dispatch import is_traceable_wrapper_subclass
from torch.utils._pytree import tree_map_only


def is_lazy(tensor: torch.Tensor) -> bool:
    """A lazy module's parameter or buffer: no shape and no storage until the first forward call."""
    return isinstance(tensor, nn.parameter.UninitializedTensorMixin)


def is_dtensor(tensor: torch.Tensor) -> bool:
    """A ``torch.distributed.tensor.DTensor`` (FSDP2, tensor parallel), without importing torch.distributed."""
    return type(tensor).__name__ == "DTensor" and hasattr(tensor, "_local_tensor")


def local(tensor: torch.Tensor) -> torch.Tensor:
    """This process's part of ``tensor``: a DTensor's local shard, any other tensor itself."""
    return tensor._local_tensor if is_dtensor(tensor) else tensor


def local_views(tree):
    """``tree`` (args, kwargs, result of an op) with every DTensor replaced by its local shard."""
    return tree_map_only(torch.Tensor, local, tree)


def skip_reason(tensor: torch.Tensor) -> str | None:
    """Why the values of ``tensor`` cannot be judged, or ``None`` when they can."""
    if is_lazy(tensor):
        return "lazy (shape unknown until the first forward call)"
    if tensor.is_nested:
        return "nested tensor (values not judged)"
    if is_traceable_wrapper_subclass(tensor):
        # a DTensor's values live in shards (on other ranks too); other wrappers hold packed data
        if is_dtensor(tensor):
            if any(placement.is_partial() for placement in tensor.placements):
                return "DTensor with a Partial placement (values pending a reduction)"
            reason = skip_reason(tensor._local_tensor)
            return f"DTensor shard: {reason}" if reason else None
        return f"tensor subclass {type(tensor).__name__}"
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
