"""Build modules under watch: make never-written memory deterministic and know which elements were written.

Why both mechanisms:

* ``torch.use_deterministic_algorithms(True, warn_only=True)`` with
  ``torch.utils.deterministic.fill_uninitialized_memory`` makes every empty-family allocation
  (``torch.empty``, ``torch.Tensor(3, 4)``, ``torch.FloatTensor``, ``x.new(...)``, ``new_empty``,
  ``empty_like``, ``empty_strided``, ``to_empty()``) come back as NaN (integers as the dtype's max).
  Measured on torch 2.13 CPU.  This makes the *values* reproducible, so statistics never depend on
  whatever a freed tensor left behind.
* NaN alone cannot tell "never written" from a NaN written on purpose (``0 / 0`` or ``log`` of a
  negative number in an init).  A ``TorchDispatchMode`` sees every empty-family allocation and every
  op whose schema marks an argument as written (in-place ops, ``out=`` variants, ``copy_``).  It keeps,
  per allocated storage, a bit per element that is set when a write reaches it through any view.
  The bitmap is only created on the first *partial* write; a write covering the whole storage just
  flips a flag, so the common case costs no memory.  Copies of a storage that was never written
  (``torch.empty(3, 4).half()``, ``.clone()``) inherit "never written".

Every global setting is restored on exit, also when the constructor raises.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from dataclasses import dataclass
from typing import Iterator

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten

_EMPTY_OPS = frozenset(
    {
        aten.empty.memory_format,
        aten.empty_strided.default,
        aten.new_empty.default,
        aten.new_empty_strided.default,
        aten.empty_like.default,
    }
)
_COPY_OPS = frozenset({aten._to_copy.default, aten.clone.default})
_SKIPPED_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (torch.__file__, __file__, contextlib.__file__)
)


def user_site() -> str:
    """The first stack frame outside torch, this package and contextlib, as ``file:line``."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_SKIPPED_DIRS) and not filename.startswith("<frozen"):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


@dataclass
class Allocation:
    """One empty-family storage: where it was created and which of its elements were written."""

    storage: StorageWeakRef
    itemsize: int
    numel: int
    site: str
    written: bool | torch.Tensor = False  # True, False, or a bool bitmap over the storage's elements


def _writes_to(func) -> tuple[int | str, ...]:
    """Positions (or keyword names) of the arguments an op writes, read from its schema."""
    return tuple(
        index if not argument.kwarg_only else argument.name
        for index, argument in enumerate(func._schema.arguments)
        if argument.alias_info is not None and argument.alias_info.is_write
    )


class WriteTracker(TorchDispatchMode):
    """Tracks empty-family allocations and the writes that reach them."""

    def __init__(self) -> None:
        super().__init__()
        self._allocations: dict[int, Allocation] = {}
        self._written_args: dict = {}

    # -- dispatch ---------------------------------------------------------------------------
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func in _EMPTY_OPS:
            self._allocated(out, user_site())
        elif self._allocations:
            if func is aten.copy_.default:
                self._copied(args[0], args[1])
            else:
                self._wrote_args(func, args, kwargs)
                if func in _COPY_OPS:
                    self._propagate(args[0], out)
        return out

    def _wrote_args(self, func, args, kwargs) -> None:
        positions = self._written_args.get(func)
        if positions is None:
            positions = self._written_args[func] = _writes_to(func)
        for position in positions:
            target = kwargs.get(position) if isinstance(position, str) else (
                args[position] if position < len(args) else None
            )
            for tensor in target if isinstance(target, (list, tuple)) else (target,):
                if isinstance(tensor, torch.Tensor):
                    self._wrote(tensor)

    # -- bookkeeping ------------------------------------------------------------------------
    def _allocated(self, tensor: torch.Tensor, site: str, written: bool = False) -> None:
        if tensor.device.type == "meta" or tensor.numel() == 0:
            return
        storage = tensor.untyped_storage()
        self._allocations[storage.data_ptr()] = Allocation(
            StorageWeakRef(storage), tensor.element_size(), storage.nbytes() // tensor.element_size(), site, written
        )

    def allocation(self, tensor: torch.Tensor) -> Allocation | None:
        """The live tracked allocation behind ``tensor``, if any."""
        if tensor.device.type == "meta" or tensor.layout != torch.strided:
            return None
        try:
            storage = tensor.untyped_storage()
        except (RuntimeError, NotImplementedError):
            return None
        found = self._allocations.get(storage.data_ptr())
        if found is None or found.storage.expired() or found.storage != StorageWeakRef(storage):
            return None
        return found

    def _wrote(self, view: torch.Tensor) -> None:
        found = self.allocation(view)
        if found is None or found.written is True:
            return
        if view.element_size() != found.itemsize or _covers(view, found.numel):
            found.written = True
            return
        if found.written is False:
            found.written = torch.zeros(found.numel, dtype=torch.bool)
        found.written.as_strided(view.shape, view.stride(), view.storage_offset()).fill_(True)

    def _copied(self, destination: torch.Tensor, source: torch.Tensor) -> None:
        origin = self.allocation(source) if isinstance(source, torch.Tensor) else None
        target = self.allocation(destination)
        if origin is not None and origin.written is False and target is not None and _covers(destination, target.numel):
            target.site = origin.site
            return
        self._wrote(destination)

    def _propagate(self, source: torch.Tensor, out: torch.Tensor) -> None:
        origin = self.allocation(source)
        if origin is not None and origin.written is False and isinstance(out, torch.Tensor):
            self._allocated(out, origin.site)

    # -- queries ----------------------------------------------------------------------------
    def unwritten(self, tensor: torch.Tensor) -> tuple[int, str | None]:
        """How many elements of ``tensor`` were never written, and where their storage was created."""
        found = self.allocation(tensor)
        if found is None or found.written is True or tensor.element_size() != found.itemsize:
            return 0, None
        if found.written is False:
            return tensor.numel(), found.site
        seen = found.written.as_strided(tensor.shape, tensor.stride(), tensor.storage_offset())
        missing = tensor.numel() - int(seen.sum())
        return missing, (found.site if missing else None)


def _covers(view: torch.Tensor, numel: int) -> bool:
    """Whether a write through ``view`` reaches every element of its storage."""
    if view.storage_offset() != 0 or view.numel() != numel:
        return False
    return view.is_contiguous() or (view.dim() >= 2 and view.mT.is_contiguous())


_state = threading.local()


def active_tracker() -> WriteTracker | None:
    """The tracker of the innermost watch on this thread, if a module is being built under watch."""
    return getattr(_state, "tracker", None)


def _use_deterministic_algorithms(mode: bool, warn_only: bool) -> None:
    """``torch.use_deterministic_algorithms`` without its first-call import of ``torch._inductor.config``.

    That import took 1.5 s here, 16 % of a 200-test suite (``bench/runtime.py``).  Inductor's copy of
    the flag matters only once inductor is loaded, and then the public function sets both.
    """
    if "torch._inductor.config" in sys.modules or not hasattr(torch._C, "_set_deterministic_algorithms"):
        torch.use_deterministic_algorithms(mode, warn_only=warn_only)
    else:
        torch._C._set_deterministic_algorithms(mode, warn_only=warn_only)


@contextlib.contextmanager
def watch() -> Iterator[WriteTracker]:
    """Fill never-written memory with NaN and track writes; nested watches share the outer tracker."""
    outer = active_tracker()
    if outer is not None:
        yield outer
        return
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory
    tracker = WriteTracker()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*deterministic", category=UserWarning)
            _use_deterministic_algorithms(True, warn_only=True)
            torch.utils.deterministic.fill_uninitialized_memory = True
            _state.tracker = tracker
            with tracker:
                yield tracker
    finally:
        _state.tracker = None
        _use_deterministic_algorithms(deterministic, warn_only=warn_only)
        torch.utils.deterministic.fill_uninitialized_memory = fill
