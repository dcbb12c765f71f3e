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
  (``torch.empty(3, 4).half()``, ``.clone()``) inherit "never written", and so do the elements that
  out-of-place copies (``F.pad``, ``cat``, indexing) and element-wise arithmetic make from them.
* What wrote a tensor is remembered too: the last few in-place ops that wrote a storage (any storage,
  tracked or not), with their scalar arguments (``normal_(0.0, 1e-06)``, ``mul_(0.001)``), so the checks
  can honour a value the code asked for explicitly.

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
# out-of-place ops whose output elements are copies of their first argument's (or its list's) elements:
# applied to "never written" masks instead of values, they say which output elements are raw memory
_COPY_OPS = frozenset({
    aten._to_copy.default, aten.clone.default, aten.constant_pad_nd.default, aten.cat.default, aten.stack.default,
    aten.repeat.default, aten.index_select.default, aten.flip.default, aten.roll.default, aten.index.Tensor,
    aten.expand_copy.default, aten.permute_copy.default,
})
# element-wise ops that choose or replace values rather than compute them from every input
_SELECTING_OPS = frozenset({aten.where.self, aten.masked_fill.Scalar, aten.masked_fill.Tensor, aten.nan_to_num.default})
HISTORY = 8  # writes remembered per storage
# factories and out-of-place ops whose result's values the writes of their input (and a scalar) describe,
# as the in-place op that would give the same values: torch.randn(...) * 1e-5 reads "normal_(0, 1), mul_(1e-05)"
_FACTORIES = {
    aten.randn.default: "normal_", aten.randn.generator: "normal_", aten.randn_like.default: "normal_",
    aten.rand.default: "uniform_", aten.rand.generator: "uniform_", aten.rand_like.default: "uniform_",
    aten.zeros.default: "zero_", aten.zeros_like.default: "zero_", aten.ones.default: "fill_",
    aten.ones_like.default: "fill_", aten.full.default: "fill_", aten.full_like.default: "fill_",
    aten.normal.float_float: "normal_",
}
_FACTORY_SCALARS = {"normal_": (0.0, 1.0), "uniform_": (0.0, 1.0), "zero_": ()}
_DERIVED = {aten.mul.Tensor: "mul_", aten.div.Tensor: "div_", aten.add.Tensor: "add_", aten.sub.Tensor: "sub_",
            aten._to_copy.default: "", aten.clone.default: ""}
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


@dataclass(frozen=True)
class WriteOp:
    """One in-place op that wrote a tensor: its name, its scalar arguments, and whether it reached every element."""

    name: str  # "normal_", "mul_", "copy_", ...
    scalars: tuple[float, ...]
    full: bool

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{value:g}' for value in self.scalars)})"


def _scalars(values) -> tuple[float, ...]:
    found = []
    for value in values:
        if isinstance(value, torch.Tensor):
            if value.numel() != 1 or value.device.type == "meta" or value.is_complex():
                continue
            value = value.item()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(float(value))
    return tuple(found)


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
        self._history: dict[int, tuple[StorageWeakRef, list[WriteOp]]] = {}
        self._followed: dict = {}  # func -> "copy", "pointwise" or None

    # -- dispatch ---------------------------------------------------------------------------
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func in _EMPTY_OPS:
            self._allocated(out, user_site())
            return out
        positions = self._positions(func)
        if positions[:1] == (0,):
            self._record_write(func, args)
        elif func in _FACTORIES or func in _DERIVED:
            self._record_made(func, args, out)
        if self._allocations:
            if func is aten.copy_.default:
                self._copied(args[0], args[1])
            elif positions:
                self._wrote_args(positions, args, kwargs)
            elif isinstance(out, torch.Tensor):
                self._follow_raw(func, args, out)
        return out

    def _positions(self, func) -> tuple[int | str, ...]:
        positions = self._written_args.get(func)
        if positions is None:
            positions = self._written_args[func] = _writes_to(func)
        return positions

    def _wrote_args(self, positions, args, kwargs) -> None:
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
        if tensor.device.type == "meta" or tensor.layout != torch.strided or tensor.is_nested:
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

    def _record_write(self, func, args) -> None:
        """Remember the in-place op that wrote ``args[0]`` and its scalar arguments, per storage."""
        view = args[0] if args else None
        history = self._history_of(view, create=True) if isinstance(view, torch.Tensor) else None
        if history is None:
            return
        numel = view.untyped_storage().nbytes() // max(view.element_size(), 1)
        operation = WriteOp(func.__name__.split(".")[0], _scalars(args[1:]), _covers(view, numel))
        history[:] = (history + [operation])[-HISTORY:]

    def _history_of(self, tensor: torch.Tensor, create: bool) -> list[WriteOp] | None:
        """The remembered writes of ``tensor``'s storage (a new, empty list when ``create``)."""
        if tensor.device.type == "meta" or tensor.layout != torch.strided or tensor.is_nested:
            return None
        storage = tensor.untyped_storage()
        key, ref = storage.data_ptr(), StorageWeakRef(storage)
        entry = self._history.get(key)
        if entry is None or entry[0].expired() or entry[0] != ref:
            if not create:
                return None
            entry = self._history[key] = (ref, [])
        return entry[1]

    def _record_made(self, func, args, out) -> None:
        """Describe a fresh result by writes: a factory's draw, or its input's writes and a scalar step."""
        if not isinstance(out, torch.Tensor):
            return
        if func in _FACTORIES:
            name = _FACTORIES[func]
            scalars = _FACTORY_SCALARS.get(name) or _scalars(args[1:2] if "full" in func.__name__ else args[:2])
            made = [WriteOp(name, scalars if name != "fill_" or scalars else (1.0,), True)]
        else:
            sources = [a for a in args[:2] if isinstance(a, torch.Tensor) and a.numel() > 1]
            scalar = _scalars(a for a in args[1:2] if not (isinstance(a, torch.Tensor) and a.numel() > 1))
            if len(sources) != 1 or sources[0] is not args[0] or (_DERIVED[func] and not scalar):
                return
            before = self._history_of(sources[0], create=False)
            if not before:
                return
            made = before + ([WriteOp(_DERIVED[func], scalar, True)] if _DERIVED[func] else [])
        history = self._history_of(out, create=True)
        if history is not None:
            history[:] = made[-HISTORY:]

    def _follow_raw(self, func, args, out: torch.Tensor) -> None:
        """Register the elements of an out-of-place result that are copies of, or computed from, raw memory."""
        kind = self._followed.get(func, "")
        if kind == "":
            pointwise = torch.Tag.pointwise in func.tags and func not in _SELECTING_OPS
            kind = self._followed[func] = "copy" if func in _COPY_OPS else "pointwise" if pointwise else None
        if kind is None or out.device.type == "meta" or out.layout != torch.strided:
            return
        values = list(args[0]) if kind == "copy" and isinstance(args[0], (list, tuple)) else (
            [args[0]] if kind == "copy" else [a for a in args if isinstance(a, torch.Tensor)])
        masks = [self._raw_mask(value) for value in values]
        origin = next((site for _, site in masks if site), None)
        if origin is None or any(out.untyped_storage().data_ptr() == v.untyped_storage().data_ptr() for v in values
                                 if isinstance(v, torch.Tensor)):
            return
        if kind == "copy":
            rest = list(args[1:]) if func is not aten.constant_pad_nd.default else [args[1], False]
            filled = [mask if mask is not None else torch.zeros(v.shape, dtype=torch.bool) for (mask, _), v in
                      zip(masks, values)]
            first = filled if isinstance(args[0], (list, tuple)) else filled[0]
            try:
                same = func in (aten._to_copy.default, aten.clone.default)
                raw = filled[0].clone() if same else func(first, *rest)
            except (RuntimeError, TypeError):  # an op without a bool kernel: leave its result as written
                return
        else:
            raw = torch.zeros(out.shape, dtype=torch.bool)
            for mask, _ in masks:
                if mask is not None:
                    raw |= torch.broadcast_to(mask, out.shape)
        if raw.shape != out.shape or not bool(raw.any()):
            return
        self._allocated(out, origin, written=False)
        found = self.allocation(out)
        if found is not None and not bool(raw.all()):
            found.written = torch.ones(found.numel, dtype=torch.bool)
            found.written.as_strided(out.shape, out.stride(), out.storage_offset()).copy_(~raw)

    def _raw_mask(self, tensor) -> tuple[torch.Tensor | None, str | None]:
        """Which elements of ``tensor`` are raw memory (None when none are), and where that memory was made."""
        if not isinstance(tensor, torch.Tensor):
            return None, None
        found = self.allocation(tensor)
        if found is None or found.written is True or tensor.element_size() != found.itemsize:
            return None, None
        if found.written is False:
            return torch.ones(tensor.shape, dtype=torch.bool), found.site
        seen = found.written.as_strided(tensor.shape, tensor.stride(), tensor.storage_offset())
        return (~seen, found.site) if not bool(seen.all()) else (None, None)

    # -- queries ----------------------------------------------------------------------------
    def writes(self, tensor: torch.Tensor) -> tuple[WriteOp, ...]:
        """The last in-place ops that wrote ``tensor``'s storage during the watch, oldest first."""
        return tuple(self._history_of(tensor, create=False) or ())

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
