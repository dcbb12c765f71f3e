"""Learnable state the module tree does not register: optimizers, ``.to()``, ``state_dict`` never see it.

Registration is decided by identity against every parameter, buffer and submodule of the whole
tree, so containers that merely mirror registered objects (``RNNBase._flat_weights``) are fine.  A
tensor computed from registered parameters (the legacy ``torch.nn.utils.weight_norm`` keeps ``weight``
as such a plain attribute, recomputed from ``weight_g`` and ``weight_v`` before every forward) is no
learnable state of its own: its autograd graph leads back to registered parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .findings import CheckId, Finding

_CONTAINERS = (list, tuple, set, frozenset, dict)
_REPLACEMENT = {list: "nn.ModuleList(...)", tuple: "nn.ModuleList(...)", set: "nn.ModuleList(...)",
                frozenset: "nn.ModuleList(...)", dict: "nn.ModuleDict(...)"}
_PARAMETER_REPLACEMENT = {dict: "nn.ParameterDict(...)"}


@dataclass(frozen=True)
class PlainTensor:
    """A tensor attribute without grad: not a failure, but usually meant to be a buffer."""

    name: str
    shape: tuple[int, ...]
    device: str

    def __str__(self) -> str:
        return f"{self.name}: plain tensor {list(self.shape)} on {self.device} (register_buffer(...) if it should move with .to())"


def _items(container) -> list:
    return list(container.values()) if isinstance(container, dict) else list(container)


def find_unregistered(module: nn.Module) -> tuple[list[Finding], list[PlainTensor]]:
    """Unregistered learnable state (findings) and plain tensors without grad (notes) in the tree."""
    registered = _registered_ids(module)
    findings: list[Finding] = []
    notes: list[PlainTensor] = []
    for prefix, owner in module.named_modules():
        for attribute, value in vars(owner).items():
            if attribute in ("_parameters", "_buffers", "_modules"):
                continue
            path = f"{prefix}.{attribute}" if prefix else attribute
            if isinstance(value, torch.Tensor) and not isinstance(value, nn.Parameter):
                if id(value) in registered or _derived_from(value, registered):
                    continue
                if value.requires_grad:
                    findings.append(_tensor_finding(path, value))
                else:
                    notes.append(PlainTensor(path, tuple(value.shape), str(value.device)))
            elif isinstance(value, _CONTAINERS) and value:  # every module has a dozen empty hook dicts
                finding = _container_finding(path, value, registered)
                if finding:
                    findings.append(finding)
    return findings, notes


def _registered_ids(module: nn.Module) -> set[int]:
    """Ids of every submodule, parameter and buffer in the tree, duplicates included: what
    ``named_parameters``/``named_buffers``/``named_modules(remove_duplicate=False)`` yield, in one walk."""
    registered = set()
    for _, owner in module.named_modules(remove_duplicate=False):
        registered.add(id(owner))
        registered.update(id(obj) for obj in owner._parameters.values() if obj is not None)
        registered.update(id(obj) for obj in owner._buffers.values() if obj is not None)
    return registered


def _derived_from(tensor: torch.Tensor, registered: set[int]) -> bool:
    """Whether ``tensor`` is computed (non-leaf) and every leaf its autograd graph reaches is registered."""
    if tensor.grad_fn is None:
        return False
    leaves, seen, stack = 0, set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None:
            if id(variable) not in registered:
                return False
            leaves += 1
        stack.extend(next_node for next_node, _ in node.next_functions)
    return leaves > 0


def _tensor_finding(path: str, tensor: torch.Tensor) -> Finding:
    return Finding(CheckId.UNREGISTERED_TENSOR, path, f"plain tensor {list(tensor.shape)} with requires_grad=True",
                   "nn.Parameter", hint=f"self.{path.rsplit('.', 1)[-1]} = nn.Parameter(...)")


def _container_finding(path: str, container, registered: set[int]) -> Finding | None:
    kinds: set[str] = set()
    count = 0
    for item in _items(container):
        for leaf in _items(item) if isinstance(item, _CONTAINERS) else (item,):
            if isinstance(leaf, (nn.Module, nn.Parameter)) and id(leaf) not in registered:
                kinds.add("Module" if isinstance(leaf, nn.Module) else "Parameter")
                count += 1
    if not count:
        return None
    kind = type(container)
    if kinds == {"Parameter"}:
        replacement = _PARAMETER_REPLACEMENT.get(kind, "nn.ParameterList(...)")
    else:
        replacement = _REPLACEMENT[kind]
    return Finding(CheckId.UNREGISTERED_MODULE, path,
                   f"{kind.__name__} holding {count} unregistered {'/'.join(sorted(kinds))}{'s' if count > 1 else ''}",
                   "registered",
                   hint=f"self.{path.rsplit('.', 1)[-1]} = {replacement}")
