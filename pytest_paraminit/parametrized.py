"""Parametrized tensors under the name a user knows: ``conv.weight (weight_norm original0)``.

``register_parametrization`` (and ``weight_norm`` / ``spectral_norm`` built on it) moves the real
parameters to ``conv.parametrizations.weight.original0``; ``conv.weight`` is computed from them on
every access.  An initializer that writes ``conv.weight`` in place (``reset_parameters()`` of a
parametrized layer) writes the computed copy, which does not reach the originals.
"""

from __future__ import annotations

from torch import nn

_KINDS = {"_WeightNorm": "weight_norm", "_SpectralNorm": "spectral_norm", "_OrthMaps": "orthogonal"}


def parametrization_of(root: nn.Module, name: str) -> tuple[str, str] | None:
    """``(user-facing tensor path, kind)`` when ``name`` is an original of a parametrization or a buffer of
    one (spectral norm's ``_u``), else None."""
    head, found, rest = ("." + name).rpartition(".parametrizations.")
    if not found:
        return None
    owner_path = head.removeprefix(".")
    tensor, _, leaf = rest.partition(".")
    index, _, state = leaf.partition(".")
    if not tensor or not (leaf.startswith("original") or (index.isdigit() and state)):
        return None
    owner = root.get_submodule(owner_path) if owner_path else root
    chain = getattr(owner, "parametrizations", {})
    if tensor not in chain:
        return None
    parts = [chain[tensor][int(index)]] if index.isdigit() else list(chain[tensor])
    kinds = [_KINDS.get(type(p).__name__, type(p).__qualname__) for p in parts]
    return (f"{owner_path}.{tensor}" if owner_path else tensor), "+".join(kinds)


def display_name(root: nn.Module, name: str) -> str:
    """``name`` as a user reads it: an original shows as ``conv.weight (weight_norm original0)``."""
    found = parametrization_of(root, name)
    if found is None:
        return name
    return f"{found[0]} ({found[1]} {name.rpartition('.')[2]})"
