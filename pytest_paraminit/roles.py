"""What each parameter is for, which decides what its values must look like.

Sources, strongest first: the layer type that owns it (``nn.Linear.weight``), a watched forward pass
when the caller gives an example input (:mod:`observe`), how the owner's own code uses it (read from
its source, :mod:`usage`), and finally its name and size.  The role follows the *use*, never the rank:
a 2-D tensor that is added (a position-bias table, stacked per-expert biases) is no weight, a 2-D
tensor multiplied element-wise is a gain.  A parameter whose role stays unknown is judged only by
what is wrong for every role.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

import torch
from torch import nn

from . import usage as use
from .tensors import is_lazy


class Kind(StrEnum):
    """What a parameter is for; each kind sets what its values must look like (``docs/scale-band.md``)."""

    WEIGHT = "weight"  # contracted with activations (matrix product, convolution)
    EMBEDDING = "embedding"  # a table that is looked up or added (token and position embeddings, bias tables)
    TOKENS = "tokens"  # a set of learned vectors joined into a sequence (query, latent, register tokens)
    BIAS = "bias"
    GAIN = "gain"  # multiplies activations element-wise (norm gains, layer scales, gates)
    GATE = "gate"  # one element
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Role:
    kind: Kind
    fan_in: int | None = None  # weights only: elements each output sums over
    source: str = ""  # how the role was learned, for the report
    unit_dim: int = 0  # the dimension that indexes output units (rows of nn.Linear, columns of GPT-2's Conv1D; tokens)
    fan_out: int | None = None  # weights: outputs each input reaches (PyTorch's convention), for fan-out-mode inits
    alt_fan_in: int | None = None  # another fan-in that is also right (PyTorch's own for transposed convolutions)
    normalizer: str = ""  # weights: what removes the product's scale downstream (a normalization)
    positioned: bool = False  # tokens: a position term is added after they join the sequence
    depthwise: bool = False  # weights: each output unit reads its own input channel


def torch_fan_in(shape: torch.Size) -> int:
    """PyTorch's convention (``nn.init._calculate_fan_in_and_fan_out``): dim 1 times the receptive field."""
    return shape[1] * math.prod(shape[2:]) if len(shape) >= 2 else shape[0]


def torch_fan_out(shape: torch.Size) -> int:
    return shape[0] * math.prod(shape[2:]) if len(shape) >= 2 else shape[0]


NORMS = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.RMSNorm, nn.LocalResponseNorm)
_CONVS = (nn.modules.conv._ConvNd,)


def _conv_role(module: nn.modules.conv._ConvNd, shape: torch.Size) -> Role:
    name = type(module).__name__
    if module.transposed:
        # each output element sums in_channels/groups · kernel / stride taps; PyTorch's own init uses dim 1
        taps = math.prod(shape[2:]) / math.prod(module.stride)
        true_fan_in = max(1, round(shape[0] // module.groups * taps))
        return Role(Kind.WEIGHT, true_fan_in, name, fan_out=torch_fan_in(shape), alt_fan_in=torch_fan_in(shape))
    depthwise = module.groups > 1 and shape[1] == 1
    return Role(Kind.WEIGHT, torch_fan_in(shape), name, fan_out=torch_fan_out(shape), depthwise=depthwise)


def _layer_role(module: nn.Module, name: str, param: torch.Tensor) -> Role | None:
    shape = param.shape
    if isinstance(module, nn.Linear) and name == "weight":
        return Role(Kind.WEIGHT, shape[1], "nn.Linear", fan_out=shape[0])
    if isinstance(module, _CONVS) and name == "weight":
        return _conv_role(module, shape)
    if isinstance(module, nn.Bilinear) and name == "weight":
        return Role(Kind.WEIGHT, shape[1], "nn.Bilinear", fan_out=shape[0])
    if isinstance(module, nn.RNNBase) and name.startswith("weight_"):
        return Role(Kind.WEIGHT, shape[1], type(module).__name__, fan_out=shape[0])
    if isinstance(module, nn.MultiheadAttention) and name.endswith("proj_weight"):
        return Role(Kind.WEIGHT, shape[1], "nn.MultiheadAttention", fan_out=shape[0])
    if isinstance(module, nn.MultiheadAttention) and name in ("bias_k", "bias_v"):
        return Role(Kind.EMBEDDING, source="nn.MultiheadAttention")
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and name == "weight":
        return Role(Kind.EMBEDDING, source=type(module).__name__)
    if isinstance(module, (*NORMS, nn.PReLU)) and name == "weight":
        return Role(Kind.GAIN, source=type(module).__name__)
    return None


# every type _layer_role knows: an owner of none of them gets no role from it (one isinstance per owner)
_LAYER_TYPES = (nn.Linear, *_CONVS, nn.Bilinear, nn.RNNBase, nn.MultiheadAttention, nn.Embedding, nn.EmbeddingBag,
                *NORMS, nn.PReLU)


def _broad(shape: torch.Size) -> bool:
    return sum(size > 1 for size in shape) >= 2


def _named_bias(name: str) -> bool:
    parts = name.lower().split("_")
    return any(part.startswith("bias") for part in parts) and "table" not in parts


def _shape_role(name: str, param: torch.Tensor) -> Role | None:
    if param.numel() == 1:
        return Role(Kind.GATE, source="one element")
    if _named_bias(name) and not _broad(param.shape):
        return Role(Kind.BIAS, source="name")
    return None


def infer_roles(module: nn.Module, observed: dict[str, Role] | None = None) -> dict[str, Role]:
    """Role of every parameter, by qualified name (as ``named_parameters`` gives it).

    ``observed``: roles seen in a watched forward pass (:func:`observe.observe_forward`), which beat
    what the source says.
    """
    observed = observed or {}
    roles: dict[str, Role] = {}
    for prefix, owner in module.named_modules():
        layer = isinstance(owner, _LAYER_TYPES)
        for name, param in owner.named_parameters(recurse=False):
            qualified = f"{prefix}.{name}" if prefix else name
            if qualified in roles:
                continue
            if is_lazy(param) or param.is_nested:
                roles[qualified] = Role(Kind.UNKNOWN, source="nested" if param.is_nested else "lazy")
                continue
            role = (_layer_role(owner, name, param) if layer else None) or (
                _shape_role(name, param) if param.numel() == 1 else None)
            role = role or observed.get(qualified)
            if role is None:
                role = from_usage(use.class_usages(type(owner)).get(name), owner, name, param)
            roles[qualified] = role or _shape_role(name, param) or Role(Kind.UNKNOWN)
    return roles


def _token_axis(shape: torch.Size) -> int | None:
    """(1, n, d) or (n, d) with n ≥ 2: the axis of n; other shapes are no token set."""
    if len(shape) < 2 or shape[-2] < 2 or any(size != 1 for size in shape[:-2]):
        return None
    return len(shape) - 2


def _contracted_role(usage: use.Usage, owner: nn.Module, param: torch.Tensor) -> Role | None:
    shape = param.shape
    if len(shape) < 2:
        return None
    normalizer = usage.normalizer
    if normalizer.startswith("self.") and not isinstance(getattr(owner, normalizer[5:], None), NORMS):
        normalizer = ""
    if usage.contracted == "last":
        out_last = shape[-2]
        role = Role(Kind.WEIGHT, shape[-1], "forward: matrix product", fan_out=shape[-2])
    elif usage.contracted == "second_last":
        out_last = shape[-1]
        role = Role(Kind.WEIGHT, shape[-2], "forward: matrix product", unit_dim=len(shape) - 1, fan_out=shape[-1])
    elif usage.contracted == "conv":
        out_last = 0
        role = Role(Kind.WEIGHT, torch_fan_in(shape), "forward: convolution", fan_out=torch_fan_out(shape))
    else:
        letters, contracted = usage.contracted.split(":")
        if len(letters) != len(shape):
            return None
        fan_in = math.prod(shape[letters.index(c)] for c in contracted)
        out_last = 0
        role = Role(Kind.WEIGHT, fan_in, "forward: einsum", fan_out=param.numel() // fan_in)
    if normalizer == "softmax(-1)" and out_last != 1:
        normalizer = ""  # a softmax over the product's units is no normalization: its scale is the temperature
    return replace(role, normalizer=normalizer)


def from_usage(usage: use.Usage | None, owner: nn.Module, name: str, param: torch.Tensor) -> Role | None:
    """The role a use in the source implies for ``param`` (``owner.<name>``)."""
    if usage is None:
        return None
    broad = _broad(param.shape)
    if usage.kind == use.CONTRACTED:
        return _contracted_role(usage, owner, param)
    if usage.kind == use.TOKENS:
        axis = _token_axis(param.shape)
        if axis is None:
            return Role(Kind.EMBEDDING, source="forward: joined to a sequence")
        return Role(Kind.TOKENS, source="forward: joined to a sequence", unit_dim=axis, positioned=usage.positioned)
    if usage.kind == use.LOOKUP:
        return Role(Kind.EMBEDDING, source="forward: looked up")
    if usage.kind == use.ADDED:
        if broad and not _named_bias(name):
            return Role(Kind.EMBEDDING, source="forward: added")
        return Role(Kind.BIAS, source="forward: added")
    if usage.kind == use.SCALED:
        return Role(Kind.GATE if param.numel() == 1 else Kind.GAIN, source="forward: scales element-wise")
    if usage.kind == use.NORM_GAIN:
        return Role(Kind.GAIN, source="forward: norm gain")
    if usage.kind == use.BIAS:
        return Role(Kind.BIAS, source="forward")
    return None
