"""Build modules under watch: make never-written memory deterministic and know which elements were written.

A ``TorchDispatchMode`` on the building thread (modes are per thread, so other threads are left
alone) sees every op the constructor runs:

* every empty-family allocation (``torch.empty``, ``torch.Tensor(3, 4)``, ``torch.FloatTensor``,
  ``x.new(...)``, ``new_empty``, ``empty_like``, ``empty_strided``, ``empty_permuted``,
  ``to_empty()``) is filled with NaN (integers with the dtype's max, bools with True: what
  ``torch.utils.deterministic.fill_uninitialized_memory`` writes) and tracked, with the line that
  made it.  The values are then reproducible, so statistics never depend on what a freed tensor
  left behind; growing ``resize_`` fills the new part the same way.
* NaN alone cannot tell "never written" from a NaN written on purpose (``0 / 0`` or ``log`` of a
  negative number in an init), so every op whose schema marks an argument as written (in-place
  ops, ``out=`` variants, ``copy_``) marks what it reached as written, through any view
  (:mod:`written`: a bit per element, made on the first *partial* write only; a write covering the
  whole storage just flips a flag).  Copies of a storage that was never written
  (``torch.empty(3, 4).half()``, ``.clone()``, a ``copy_`` over all of it) inherit "never written".

Why not torch's own switch (``torch.use_deterministic_algorithms`` with ``fill_uninitialized_memory``):
it is process-wide, so ``torch.empty`` in other threads came back NaN and was reported ``non-finite``,
and the checker had to switch it back afterwards, undoing a constructor that set it on purpose
(issue 19).  It also fills every temporary inside every kernel, with OpenMP threads: on a busy
2-core machine each such fill waits for a scheduler slice (7.6 ms for 1 M floats, 0.05 ms on one
thread), which made a densenet121 build 7x slower.  The tracker fills only what the constructor
allocates, on one thread, and changes no global setting.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode

from .threads import one_thread
from .written import WrittenBits

aten = torch.ops.aten

_EMPTY_OPS = frozenset(
    {
        aten.empty.memory_format,
        aten.empty_strided.default,
        aten.new_empty.default,
        aten.new_empty_strided.default,
        aten.empty_like.default,
        aten.empty_permuted.default,
    }
)
# ops that can grow a storage and leave the new part unwritten (torch fills it under its switch too)
_RESIZE_OPS = frozenset({aten.resize_.default, aten.resize_as_.default, aten.empty.out})
_COPY_OPS = frozenset({aten._to_copy.default, aten.clone.default})
_SKIPPED_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (torch.__file__, __file__, contextlib.__file__)
)
_NO_EFFECT = ((), False)  # an op that neither writes an argument nor copies one


def user_site() -> str:
    """The first stack frame outside torch, this package and contextlib, as ``file:line``."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_SKIPPED_DIRS) and not filename.startswith("<frozen"):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


@dataclass(frozen=True)
class Write:
    """An op that wrote every element of a storage, with its arguments (tensors as ``None``)."""

    op: Any  # the ``torch._ops.OpOverload``, e.g. ``aten.normal_.default``
    arguments: tuple
    keywords: dict


@dataclass
class Allocation:
    """One empty-family storage: where it was created and which of its elements were written."""

    storage: StorageWeakRef
    itemsize: int
    numel: int
    site: str
    written: bool | WrittenBits = False  # True, False, or a bit per element of the storage
    last_write: Write | None = field(default=None, repr=False)


def _effect_of(func) -> tuple[tuple[int | str, ...], bool]:
    """What an op does that the tracker follows: the arguments it writes, and whether it copies its first."""
    effect = (_writes_to(func), func in _COPY_OPS)
    return _NO_EFFECT if effect == _NO_EFFECT else effect


def _writes_to(func) -> tuple[int | str, ...]:
    """Positions (or keyword names) of the arguments an op writes, read from its schema."""
    return tuple(
        index if not argument.kwarg_only else argument.name
        for index, argument in enumerate(func._schema.arguments)
        if argument.alias_info is not None and argument.alias_info.is_write
    )


def fill_value(dtype: torch.dtype) -> float | int | bool | complex | None:
    """What never-written memory of ``dtype`` holds under watch (``None``: left as it is)."""
    if dtype.is_complex:
        return complex(float("nan"), 0.0)
    if dtype.is_floating_point:
        return float("nan")
    if dtype == torch.bool:
        return True
    try:
        return torch.iinfo(dtype).max
    except TypeError:  # quantized and packed dtypes
        return None


class WriteTracker(TorchDispatchMode):
    """Tracks empty-family allocations and the writes that reach them."""

    def __init__(self) -> None:
        super().__init__()
        self._allocations: dict[int, Allocation] = {}
        self._effects: dict[Any, tuple] = {}
        self._since_sweep = 0

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a mode's __torch_dispatch__ in torch._dynamo.disable, which imports dynamo on the
        # first op (1.3-2.5 s) and costs every op; :func:`watch` uses the wrapped variant once dynamo is loaded
        return False

    # -- dispatch ---------------------------------------------------------------------------
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _RESIZE_OPS:
            return self._resize(func, args, kwargs)
        out = func(*args, **kwargs)
        if func in _EMPTY_OPS:
            with one_thread():
                self._fill(out)
            self.track(out, user_site())
        elif self._allocations:
            effect = self._effects.get(func)
            if effect is None:
                effect = self._effects[func] = _effect_of(func)
            if effect is not _NO_EFFECT:
                self._apply(func, args, kwargs, out, effect)
        return out

    def _apply(self, func, args, kwargs, out, effect: tuple[tuple[int | str, ...], bool]) -> None:
        positions, copies = effect
        with one_thread():
            if func is aten.copy_.default:
                self._copied(args[0], args[1], func, args, kwargs)
                return
            for position in positions:
                target = kwargs.get(position) if isinstance(position, str) else (
                    args[position] if position < len(args) else None
                )
                for tensor in target if isinstance(target, (list, tuple)) else (target,):
                    if isinstance(tensor, torch.Tensor):
                        self._wrote(tensor, func, args, kwargs)
            if copies:
                self._propagate(args[0], out)

    def _resize(self, func, args, kwargs):
        target = kwargs.get("out", args[0] if args else None)
        before = _storage_bytes(target)
        out = func(*args, **kwargs)
        after = _storage_bytes(target)
        if before is not None and after is not None and after > before:
            with one_thread():
                _fill_grown(target, before)
        if self._allocations:
            self._apply(func, args, kwargs, out, (_writes_to(func), False))
        return out

    # -- bookkeeping ------------------------------------------------------------------------
    @staticmethod
    def _fill(tensor: torch.Tensor) -> None:
        value = fill_value(tensor.dtype)
        if value is not None and tensor.device.type != "meta" and tensor.numel():
            tensor.fill_(value)

    def track(self, tensor: torch.Tensor, site: str, written: bool = False) -> None:
        """Follow ``tensor``'s storage from now on as never written (or written), created at ``site``.

        The empty-family ops and copies of never-written storages call this; a check that follows raw
        memory through other ops (``F.pad`` of a raw tensor) may too."""
        if tensor.device.type == "meta" or tensor.numel() == 0:
            return
        storage = tensor.untyped_storage()
        self._allocations[storage.data_ptr()] = Allocation(
            StorageWeakRef(storage), tensor.element_size(), storage.nbytes() // tensor.element_size(), site, written
        )
        self._since_sweep += 1
        if self._since_sweep > max(1024, len(self._allocations)):
            self._sweep()

    def _sweep(self) -> None:
        """Forget allocations whose storage was freed (their bits too)."""
        self._since_sweep = 0
        self._allocations = {key: found for key, found in self._allocations.items() if not found.storage.expired()}

    def allocation(self, tensor: torch.Tensor) -> Allocation | None:
        """The live tracked allocation behind ``tensor``, if any."""
        if tensor.layout != torch.strided:
            return None
        try:
            storage = tensor.untyped_storage()
            found = self._allocations.get(storage.data_ptr())
        except (RuntimeError, NotImplementedError, TypeError):  # no storage (sparse, DTensor, functional wrappers)
            return None
        # the tracker's weak reference keeps the storage's C++ object alive: its address names it
        if found is None or found.storage.cdata != storage._cdata:
            return None
        return found

    def _wrote(self, view: torch.Tensor, func=None, args=(), kwargs=None) -> None:
        found = self.allocation(view)
        if found is None:
            return
        covers = view.element_size() != found.itemsize or _covers(view, found.numel)
        if covers and func is not None:
            found.last_write = _write(func, args, kwargs or {})
        if found.written is True:
            return
        if covers:
            found.written = True
            return
        if found.written is False:
            found.written = WrittenBits(found.numel)
        found.written.add(view)
        if found.written.full():
            found.written = True

    def _copied(self, destination: torch.Tensor, source: torch.Tensor, func, args, kwargs) -> None:
        origin = self.allocation(source) if isinstance(source, torch.Tensor) else None
        target = self.allocation(destination)
        if origin is not None and origin.written is False and target is not None and _covers(destination, target.numel):
            target.site = origin.site
            return
        self._wrote(destination, func, args, kwargs)

    def _propagate(self, source: torch.Tensor, out: torch.Tensor) -> None:
        origin = self.allocation(source)
        if origin is not None and origin.written is False and isinstance(out, torch.Tensor):
            self.track(out, origin.site)

    # -- queries ----------------------------------------------------------------------------
    def unwritten(self, tensor: torch.Tensor) -> tuple[int, str | None]:
        """How many elements of ``tensor`` were never written, and where their storage was created."""
        found = self.allocation(tensor)
        if found is None or found.written is True or tensor.element_size() != found.itemsize:
            return 0, None
        if found.written is False:
            return tensor.numel(), found.site
        with one_thread():
            missing = tensor.numel() - found.written.count(tensor)
        return missing, (found.site if missing else None)

    def last_write(self, tensor: torch.Tensor) -> Write | None:
        """The last op that wrote every element of ``tensor``'s tracked storage, with its arguments."""
        found = self.allocation(tensor)
        return found.last_write if found is not None else None


def _write(func, args, kwargs) -> Write:
    return Write(func, tuple(None if isinstance(a, torch.Tensor) else a for a in args),
                 {k: v for k, v in kwargs.items() if not isinstance(v, torch.Tensor)})


def _covers(view: torch.Tensor, numel: int) -> bool:
    """Whether a write through ``view`` reaches every element of its storage."""
    if view.storage_offset() != 0 or view.numel() != numel:
        return False
    return view.is_contiguous() or (view.dim() >= 2 and view.mT.is_contiguous())


def _storage_bytes(tensor) -> int | None:
    if not isinstance(tensor, torch.Tensor) or tensor.device.type == "meta" or tensor.layout != torch.strided:
        return None
    try:
        return tensor.untyped_storage().nbytes()
    except (RuntimeError, NotImplementedError, TypeError):
        return None


def _fill_grown(tensor: torch.Tensor, before: int) -> None:
    """Fill what a resize added to ``tensor``'s storage, as torch's deterministic resize does."""
    value = fill_value(tensor.dtype)
    if value is None:
        return
    itemsize = tensor.element_size()
    total = tensor.untyped_storage().nbytes() // itemsize
    grown = torch.empty(0, dtype=tensor.dtype, device=tensor.device)
    grown.set_(tensor.untyped_storage(), before // itemsize, (total - before // itemsize,), (1,))
    grown.fill_(value)


_state = threading.local()


def active_tracker() -> WriteTracker | None:
    """The tracker of the innermost watch on this thread, if a module is being built under watch."""
    return getattr(_state, "tracker", None)


class _DynamoSafeWriteTracker(WriteTracker):
    """The tracker with torch's usual ``torch._dynamo.disable`` around ``__torch_dispatch__`` (added when
    the class is made, imported on first use), for when dynamo is loaded: compiled code may run inside
    the constructor."""

    __torch_dispatch__ = WriteTracker.__torch_dispatch__

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return True


def _new_tracker() -> WriteTracker:
    return _DynamoSafeWriteTracker() if "torch._dynamo" in sys.modules else WriteTracker()


@contextlib.contextmanager
def watch() -> Iterator[WriteTracker]:
    """Fill never-written memory with NaN and track writes on this thread; nested watches share the outer tracker."""
    outer = active_tracker()
    if outer is not None:
        yield outer
        return
    tracker = _new_tracker()
    try:
        _state.tracker = tracker
        with tracker:
            yield tracker
    finally:
        _state.tracker = None
