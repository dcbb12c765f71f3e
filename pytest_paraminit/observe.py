"""Roles seen in a watched forward pass: which aten op first consumed each parameter's storage.

Used when the caller gives an example input (``check_module(..., example_input=...)``); it sees what
the source cannot (a product in a module-level function, a library kernel).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from .roles import Kind, Role, torch_fan_in
from .tensors import is_lazy

aten = torch.ops.aten
_CONTRACTIONS = {aten.mm.default: (0, 1), aten.bmm.default: (0, 1), aten.addmm.default: (1, 2),
                 aten.baddbmm.default: (1, 2)}
_LOOKUPS = {aten.embedding.default, aten.index.Tensor, aten.index_select.default, aten.select.int, aten.cat.default}


def _broad(tensor: torch.Tensor) -> bool:
    return sum(size > 1 for size in tensor.shape) >= 2


class _ForwardObserver(TorchDispatchMode):
    """Records which aten op first consumed each parameter's storage during a forward pass."""

    def __init__(self, storages: dict[int, str]) -> None:
        super().__init__()
        self.storages = storages
        self.roles: dict[str, Role] = {}

    def _name(self, value) -> str | None:
        if not isinstance(value, torch.Tensor) or value.device.type == "meta" or value.is_nested:
            return None
        name = self.storages.get(value.untyped_storage().data_ptr())
        return None if name is None or name in self.roles else name

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _CONTRACTIONS:
            first, second = _CONTRACTIONS[func]
            for position in (first, second):
                name = self._name(args[position])
                if name:
                    self.roles[name] = Role(Kind.WEIGHT, args[first].shape[-1], f"forward pass: {func.__name__}")
            if first == 1 and self._name(args[0]):
                self.roles[self._name(args[0])] = Role(Kind.BIAS, source="forward pass")
        elif func is aten.convolution.default:
            name = self._name(args[1])
            if name:
                self.roles[name] = Role(Kind.WEIGHT, torch_fan_in(args[1].shape), "forward pass: convolution")
            if len(args) > 2 and self._name(args[2]):
                self.roles[self._name(args[2])] = Role(Kind.BIAS, source="forward pass")
        elif func in _LOOKUPS:
            tensors = args[0] if func is aten.cat.default else args[:1]
            for tensor in tensors:
                name = self._name(tensor)
                if name:
                    self.roles[name] = Role(Kind.EMBEDDING, source=f"forward pass: {func.__name__}")
        elif func in (aten.add.Tensor, aten.mul.Tensor):
            for tensor in args[:2]:
                name = self._name(tensor)
                if name:
                    if func is aten.add.Tensor:
                        kind = Kind.EMBEDDING if _broad(tensor) else Kind.BIAS
                    else:
                        kind = Kind.GATE if tensor.numel() == 1 else Kind.GAIN
                    self.roles[name] = Role(kind, source=f"forward pass: {func.__name__}")
        return func(*args, **kwargs)


def observe_forward(module: nn.Module, example_input) -> dict[str, Role]:
    """Run one forward pass without grad and learn roles from the aten ops that read each parameter."""
    storages = {
        param.untyped_storage().data_ptr(): name
        for name, param in module.named_parameters()
        if param.device.type != "meta" and not is_lazy(param) and not param.is_nested
    }
    observer = _ForwardObserver(storages)
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    with torch.no_grad(), observer:
        if isinstance(example_input, dict):
            module(**example_input)
        else:
            module(*inputs)
    return observer.roles
