"""Whether units that start identical can ever become different: what the rest of the module tree says.

An all-zero weight is no defect by itself: its gradient is (upstream gradient)ᵀ · (its input), and
its input differs per sample and feature, so its rows move apart from the first step (LoRA's B, zero
heads, the last layer of a zero-initialized residual branch, ControlNet's zero convolutions).  It is
one when its input is all zero too: two zero layers in series (with only element-wise steps between
them) give each other zero gradients, and stay zero or symmetric for good.  Identical tokens are the
other way round: they stay identical through any permutation-symmetric consumer (attention, a
per-token MLP) unless something tells their positions apart, a position term added after they join
the sequence or a layer that mixes along the token axis (an MLP-Mixer-style ``Linear(n_tokens, ...)``
applied to the transposed sequence).
"""

from __future__ import annotations

import torch
from torch import nn

from . import feeds
from .roles import NORMS

_WEIGHTED = (nn.Linear, nn.modules.conv._ConvNd, nn.Bilinear)
_CONTAINERS = (nn.ModuleList, nn.ModuleDict, nn.ParameterList, nn.ParameterDict)
# modules that act element by element: a zero (or constant) input stays zero (or constant) per unit
_ELEMENTWISE = (nn.ReLU, nn.ReLU6, nn.GELU, nn.SiLU, nn.Mish, nn.Tanh, nn.Sigmoid, nn.LeakyReLU, nn.ELU, nn.SELU,
                nn.CELU, nn.Hardswish, nn.Hardtanh, nn.Softplus, nn.PReLU, nn.Identity,
                nn.modules.dropout._DropoutNd)
_MAX_DEPTH = 4


def _all_zero(tensor: torch.Tensor | None) -> bool:
    return tensor is None or (tensor.is_floating_point() and not bool(tensor.detach().any()))


class Neighbours:
    """Answers about one parameter from the modules around it in ``root``."""

    def __init__(self, root: nn.Module) -> None:
        self.root = root
        self._modules: dict[str, nn.Module] | None = None

    @property
    def modules(self) -> dict[str, nn.Module]:
        if self._modules is None:  # only a zero weight or identical tokens ask
            self._modules = dict(self.root.named_modules(remove_duplicate=False))
        return self._modules

    def _parent(self, path: str) -> tuple[nn.Module | None, str]:
        parent, _, attribute = path.rpartition(".")
        return (self.modules.get(parent) if path else None), attribute

    # -- zero layers in series ----------------------------------------------------------------
    def zero_feed(self, name: str) -> str | None:
        """For an all-zero weight: the zero layer before it whose output is its whole input, or None."""
        owner_path, _, attribute = name.rpartition(".")
        owner = self.modules.get(owner_path)
        if owner is None:
            return None
        if not isinstance(owner, _WEIGHTED):
            found = self._feeding_zero(owner, attribute, 0)
            return f"{owner_path}.{found}" if found and owner_path else found
        path = owner_path
        parent, key = self._parent(path)
        while isinstance(parent, _CONTAINERS):
            path = path.rpartition(".")[0]
            parent, key = self._parent(path)
        if parent is None:
            return None
        found = self._previous_in_sequence(parent, key) if isinstance(parent, nn.Sequential) else \
            self._feeding_zero(parent, key, 0)
        parent_path = path.rpartition(".")[0]
        return f"{parent_path}.{found}" if found and parent_path else found

    def _feeding_zero(self, owner: nn.Module, consumer: str, depth: int) -> str | None:
        """The producer whose zero output is ``owner.<consumer>``'s whole input, in every call."""
        calls = [sources for target, sources in feeds.class_feeds(type(owner)) if target == consumer]
        if not calls or depth > _MAX_DEPTH:
            return None
        named = None
        for sources in calls:
            if not sources or any(not self._outputs_zero(owner, source, depth + 1) for source in sources):
                return None
            named = named or sorted(sources)[0]
        return named

    def _previous_in_sequence(self, sequence: nn.Sequential, key: str) -> str | None:
        names = list(sequence._modules)
        if key not in names:
            return None
        for previous in reversed(names[: names.index(key)]):
            module = sequence._modules[previous]
            if isinstance(module, _ELEMENTWISE) or (isinstance(module, NORMS) and _all_zero(module.bias)):
                continue  # element-wise steps (and a norm without shift) pass a zero input on as zero or constant
            return previous if self._module_outputs_zero(module) else None
        return None

    def _outputs_zero(self, owner: nn.Module, source: str, depth: int) -> bool:
        if source == feeds.UNKNOWN_SOURCE:
            return False
        value = getattr(owner, source, None)
        if isinstance(value, torch.Tensor):
            return _all_zero(value)
        if not isinstance(value, nn.Module):
            return False
        if isinstance(value, _ELEMENTWISE) or (isinstance(value, NORMS) and _all_zero(getattr(value, "bias", None))):
            return self._feeding_zero(owner, source, depth) is not None
        return self._module_outputs_zero(value)

    def _module_outputs_zero(self, module: nn.Module) -> bool:
        if isinstance(module, _WEIGHTED):
            return _all_zero(module.weight) and _all_zero(module.bias)
        if isinstance(module, (nn.ModuleList, nn.ModuleDict)):
            items = list(module.values() if isinstance(module, nn.ModuleDict) else module)
            return bool(items) and all(self._module_outputs_zero(item) for item in items)
        if isinstance(module, nn.Sequential):
            weighted = [m for m in module if any(True for _ in m.parameters())]
            return bool(weighted) and self._module_outputs_zero(weighted[-1])
        return False

    # -- identical tokens ------------------------------------------------------------------------
    def tokens_mixed(self, name: str, count: int) -> bool:
        """Whether a layer under the tokens' owner mixes along a token axis of ``count`` entries."""
        owner = self.modules.get(name.rpartition(".")[0])
        if owner is None:
            return False
        for module in owner.modules():
            for called in feeds.transposed_calls(type(module)):
                target = module if called == "super" else getattr(module, called, None)
                if isinstance(target, nn.Module):
                    first = next((m for m in target.modules() if isinstance(m, nn.Linear)), None)
                    if first is not None and first.in_features == count:
                        return True
        return False
