"""paraminit runtime checker and pytest plugin.

Importing this package does not import torch; the checker's functions load it on first use.

Where things are, from the user inward (imports go that way, never back):

* pytest, torch-free at import: ``plugin`` (hooks and options) hands work to ``fixture``,
  ``phases`` (``--check-param-init``) and ``targets`` (``param_init_targets``); ``hookspec`` is the
  hook it adds; ``settings`` and ``recorder`` are what they share.
* building under watch: ``checker`` (``check_module``, ``build_and_check``), ``deferred`` (meta
  device, with ``initializers`` (what runs after ``to_empty()``), ``provenance`` (what the eager build
  wrote) and ``parametrized`` (user-facing names)), ``construction`` (the constructor hook behind the
  flag), ``capture`` (never-written memory) with ``written`` (a bit per written element); ``threads``
  (the checker's ops on one thread); ``distributed`` (DTensor shards and replicas: statistics over the
  ranks of a ``torch.distributed`` job).
* judging: ``checks`` (one function a check) with ``roles`` (what a parameter is for: from its layer,
  ``observe`` (a watched forward pass) or ``usage`` (its owner's source)), ``symmetry`` (whether
  identical units can become different: ``feeds`` says which layer feeds which), ``bands`` (the scale
  bands, widened for small samples), ``requested`` (the std an initializer asked for), ``stats``
  with ``batched`` (small tensors' statistics in one pass),
  ``unregistered``, ``tensors``; ``allow`` (allowed checks by parameter glob).
* what is reported: ``report`` (the report, its table and JSON), ``findings`` (check ids, findings, notes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .allow import AllowList
    from .checker import build_and_check, check_module
    from .deferred import build_deferred_and_check
    from .findings import CHECKS
    from .initializers import InitializerError
    from .report import ModuleReport

_LAZY = {
    "AllowList": "allow",
    "ModuleReport": "report",
    "build_and_check": "checker",
    "check_module": "checker",
    "CHECKS": "findings",
    "build_deferred_and_check": "deferred",
    "InitializerError": "initializers",
}
__all__ = sorted(_LAZY)


def __dir__() -> list[str]:
    """The public API, lazily imported ones included (``dir(pytest_paraminit)``)."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
