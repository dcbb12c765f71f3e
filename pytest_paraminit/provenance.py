"""Who wrote each tensor of an eager build: ``kaiming_uniform_ in Linear.reset_parameters``.

The deferred report says what the eager build did for each tensor the deferred path left raw, so a
reader sees which code ``to_empty()`` plus the initializer skipped.  The aten op alone says
``uniform_``; the Python stack at the write says which ``nn.init`` function asked for it and which
module method called that.  Walking the stack at every write is slow, so this runs only for a model
whose deferred build has a miss.
"""

from __future__ import annotations

import os
import sys

import torch
from torch import nn
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode

from .capture import watch

_INIT_FILE = os.path.normcase(nn.init.__file__)
_PLUMBING = tuple(os.path.normcase(os.path.dirname(p)) for p in (torch.utils.__file__, __file__)) + (
    os.path.normcase(nn.modules.module.__file__),)

_COPIES = frozenset({torch.ops.aten.clone.default, torch.ops.aten._to_copy.default})
_FACTORIES = frozenset({"zeros", "ones", "full", "arange", "eye", "linspace", "zeros_like", "ones_like", "full_like"})


def _writer(op: str) -> str:
    """``fn in Owner.method`` for the write being dispatched (``op``), from the Python stack."""
    frame, init_name, method = sys._getframe(2), None, None
    while frame is not None and method is None:
        filename = os.path.normcase(frame.f_code.co_filename)
        if filename == _INIT_FILE:
            if not frame.f_code.co_name.startswith("_"):
                init_name = frame.f_code.co_name  # the outermost public nn.init function wins
        elif not filename.startswith(_PLUMBING) and isinstance(frame.f_locals.get("self"), nn.Module):
            method = frame.f_code.co_qualname
        frame = frame.f_back
    return f"{init_name or op} in {method or 'code outside any module'}"


class Provenance(TorchDispatchMode):
    """Per storage, the last write (in-place op or factory) and the code that made it."""

    def __init__(self) -> None:
        super().__init__()
        self._writes: dict[int, tuple[StorageWeakRef, str]] = {}
        self._positions: dict = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if func in _COPIES and first is not None:
            self._remember(out, self.writer(first))  # deepcopy clones: the copy was written by the same code
        elif func.__name__.startswith("set_.") and len(args) > 1 and isinstance(args[1], torch.Tensor):
            self._remember(first, self.writer(args[1]))  # register_parametrization moves the weight into original
        elif first is not None and self._writes_first(func):
            self._remember(first, _writer(func.__name__.split(".")[0]))
        elif torch.Tag.nondeterministic_seeded in func.tags or func.__name__.split(".")[0] in _FACTORIES:
            self._remember(out, _writer(func.__name__.split(".")[0]))
        return out

    def _writes_first(self, func) -> bool:
        known = self._positions.get(func)
        if known is None:
            known = self._positions[func] = any(
                a.alias_info is not None and a.alias_info.is_write for a in func._schema.arguments[:1])
        return known

    def _remember(self, tensor, description: str | None) -> None:
        if isinstance(tensor, torch.Tensor) and description and tensor.device.type != "meta" and \
                tensor.layout == torch.strided:
            storage = tensor.untyped_storage()
            self._writes[storage.data_ptr()] = (StorageWeakRef(storage), description)

    def writer(self, tensor: torch.Tensor) -> str | None:
        """How ``tensor``'s storage was last written during the build, if it was seen."""
        if tensor.device.type == "meta" or tensor.layout != torch.strided:
            return None
        storage = tensor.untyped_storage()
        entry = self._writes.get(storage.data_ptr())
        if entry is None or entry[0].expired() or entry[0] != StorageWeakRef(storage):
            return None
        return entry[1]


def eager_writers(factory, args, kwargs, names) -> dict[str, str]:
    """Build ``factory`` eagerly and say, for each tensor path in ``names``, what wrote it.

    A tensor written by no seen op is ``computed in the constructor`` (``torch.tensor(...)``, a copy of a
    constant); one the eager build leaves raw too is ``never written in the eager build either``, one
    that holds NaN or ±Inf there is ``non-finite in the eager build``; a build that raises gives ``{}``,
    and the report then shows the deferred side only.  The eager build runs under watch, so raw memory
    is NaN and seen as raw: the wording never depends on what the allocator hands back.
    """
    recorder = Provenance()
    try:
        with watch() as tracker, recorder:
            module = factory(*args, **kwargs)
    except Exception:  # noqa: BLE001 - the comparison is extra information; the deferred report stands alone
        return {}
    tensors = dict(module.named_parameters(remove_duplicate=False)) | dict(module.named_buffers(remove_duplicate=False))
    found = {}
    for name in names:
        tensor = tensors.get(name)
        if tensor is None:
            continue
        if tracker.unwritten(tensor)[0]:
            found[name] = NEVER_WRITTEN_EAGERLY
        elif tensor.is_floating_point() and not bool(tensor.detach().isfinite().all()):
            found[name] = NONFINITE_EAGERLY
        else:
            found[name] = recorder.writer(tensor) or "computed in the constructor"
    return found


NONFINITE_EAGERLY = "non-finite in the eager build"
NEVER_WRITTEN_EAGERLY = "never written in the eager build either"
# what the eager build got wrong too: the eager check's business, not the deferred one's
EAGER_DEFECTS = frozenset({NONFINITE_EAGERLY, NEVER_WRITTEN_EAGERLY})
