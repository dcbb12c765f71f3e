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
  (``torch.empty(3, 4).half()``, ``.clone()``, a ``copy_`` over all of it) inherit "never written",
  and so do the elements that out-of-place copies (``F.pad``, ``cat``, indexing) and element-wise
  arithmetic make from them.
* What wrote a tensor is remembered too: the last few in-place ops that wrote a storage (any storage,
  tracked or not), with their scalar arguments (``normal_(0.0, 1e-06)``, ``mul_(0.001)``), so the checks
  can honour a value the code asked for explicitly.

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
import functools
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Iterator

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode

from .tensors import local, local_views
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
# out-of-place ops whose output elements are copies of their first argument's (or its list's) elements:
# applied to "never written" masks instead of values, they say which output elements are raw memory
_COPY_OPS = frozenset({
    aten._to_copy.default, aten.clone.default, aten.constant_pad_nd.default, aten.cat.default, aten.stack.default,
    aten.repeat.default, aten.index_select.default, aten.flip.default, aten.roll.default, aten.index.Tensor,
    aten.expand_copy.default, aten.permute_copy.default,
})
_SAME_ELEMENTS = frozenset({aten._to_copy.default, aten.clone.default})  # element i of the result is element i
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
# in-place ops whose result does not depend on what the written argument held: they write raw memory
# without reading it, so a lazily filled allocation (``LAZY_FILL``) stays unfilled through them
_OVERWRITING = frozenset({
    "fill_", "zero_", "normal_", "uniform_", "random_", "exponential_", "geometric_", "log_normal_", "cauchy_",
    "bernoulli_", "copy_",
})
# allocations of at least this many bytes are NaN-filled only when an op first reads them (issue 19): a
# parameter written half way then costs the bits of its written record, not a fill of the half the plain
# build never touches (800 MB parameter: 358 MiB more than the plain build, 0.47 of the tensor)
LAZY_FILL = 1 << 24
_NO_EFFECT = ((), None, None)  # an op that writes no argument, follows no raw memory and describes no result
_EMPTY = ("empty",)  # an empty-family allocation: filled and tracked
_RESIZE = ("resize",)  # an op that can grow a storage


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
    written: bool | WrittenBits = False  # True, False, or a bit per element of the storage
    unfilled: torch.dtype | None = None  # never-written elements not NaN-filled yet (``LAZY_FILL``): their dtype


def _effect_of(func) -> tuple:
    """What an op does that the tracker follows, worked out once per op (one dict lookup per call after that):
    :data:`_EMPTY` or :data:`_RESIZE` for the allocating ops, else the arguments it writes, how its result follows
    raw memory (``"copy"``, ``"pointwise"`` or ``None``), and how writes describe its result (``_record_made``):
    ``(factory's in-place name or None, whether its fill value is its second argument, derived step)`` or ``None``."""
    if func in _EMPTY_OPS:
        return _EMPTY
    if func in _RESIZE_OPS:
        return _RESIZE
    positions = _writes_to(func)
    if func in _COPY_OPS:
        follows = "copy"
    else:
        follows = "pointwise" if torch.Tag.pointwise in func.tags and func not in _SELECTING_OPS else None
    described = None
    if func in _FACTORIES:
        described = (_FACTORIES[func], "full" in func.__name__, "")
    elif func in _DERIVED:
        described = (None, False, _DERIVED[func])
    effect = (positions, None if positions else follows, described)
    return _NO_EFFECT if effect == _NO_EFFECT else effect


@dataclass(frozen=True)
class WriteOp:
    """One in-place op that wrote a tensor: its name, its scalar arguments, and whether it reached every element."""

    name: str  # "normal_", "mul_", "copy_", ...
    scalars: tuple[float, ...]
    full: bool

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{value:g}' for value in self.scalars)})"


@functools.lru_cache(maxsize=4096)
def _full_write(name: str, scalars: tuple[float, ...]) -> WriteOp:
    """One shared (immutable) :class:`WriteOp` per op and arguments: 100 k ``torch.randn(4) * 0.5`` make two."""
    return WriteOp(name, scalars, True)


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
    if func.namespace == "c10d" and func._schema.name.endswith("_"):
        return (0,)  # a collective (broadcast_, scatter_, allgather_, ...) writes its outputs, unmarked in its schema
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
        # the writes of each storage, oldest first, under its data pointer; tuples (shared, never mutated)
        self._history: dict[int, tuple[StorageWeakRef, tuple[WriteOp, ...]]] = {}
        self._since_sweep = 0
        self._unfilled: dict[int, Allocation] = {}  # allocations whose never-written elements are not filled yet

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a mode's __torch_dispatch__ in torch._dynamo.disable, which imports dynamo on the
        # first op (1.3-2.5 s) and costs every op; :func:`watch` uses the wrapped variant once dynamo is loaded
        return False

    # -- dispatch ---------------------------------------------------------------------------
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        effect = self._effects.get(func)
        if effect is None:
            effect = self._effects[func] = _effect_of(func)
        if effect is _RESIZE:
            return self._resize(func, args, kwargs)
        if self._unfilled:
            self._fill_read(func, args, kwargs, effect)
        out = func(*args, **kwargs)
        seen = local_views((args, kwargs, out)) if types else (args, kwargs, out)  # a DTensor: its shard
        if effect is _EMPTY:
            made = seen[2]
            lazy = made.device.type == "cpu" and made.untyped_storage().nbytes() >= LAZY_FILL
            if not lazy:
                with one_thread():
                    self._fill(made)
            self.track(made, user_site())
            if lazy and fill_value(made.dtype) is not None and made.numel():
                found = self.allocation(made)
                found.unfilled = made.dtype
                self._unfilled[made.untyped_storage().data_ptr()] = found
        elif effect is not _NO_EFFECT:
            self._apply(func, *seen, effect)
        return out

    def _apply(self, func, args, kwargs, out, effect: tuple) -> None:
        positions, follows, described = effect
        if positions[:1] == (0,):
            self._record_write(func, args)
        elif described is not None:
            self._record_made(args, out, described)
        if not self._allocations:
            return
        with one_thread():
            if func is aten.copy_.default:
                self._copied(args[0], args[1])
            elif positions:
                for position in positions:
                    target = kwargs.get(position) if isinstance(position, str) else (
                        args[position] if position < len(args) else None
                    )
                    for tensor in target if isinstance(target, (list, tuple)) else (target,):
                        if isinstance(tensor, torch.Tensor):
                            self._wrote(tensor)
            elif follows is not None and isinstance(out, torch.Tensor):
                self._follow_raw(follows, func, args, out)

    def _fill_read(self, func, args, kwargs, effect: tuple) -> None:
        """NaN-fill the never-written elements of the lazily filled allocations ``func`` reads, before it runs.

        Views read nothing; an overwriting op (``normal_``, ``copy_``, ...) does not read the argument it
        writes, nor does any op read its ``out=`` arguments."""
        if func.is_view or effect is _EMPTY:
            return
        positions = effect[0] if effect is not _RESIZE else _writes_to(func)
        skipped = {position for position in positions if isinstance(position, str) or
                   (position == 0 and func.__name__.split(".")[0] in _OVERWRITING)}
        values = [value for index, value in enumerate(args) if index not in skipped]
        values += [value for name, value in kwargs.items() if name not in skipped]
        for value in local_views(values):
            for tensor in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(tensor, torch.Tensor):
                    found = self.allocation(tensor)
                    if found is not None and found.unfilled is not None:
                        with one_thread():
                            self._fill_unwritten(found)

    def _fill_unwritten(self, found: Allocation) -> None:
        """Fill what ``found`` holds unwritten with NaN (the dtype's fill value), as an eager fill would have."""
        self._unfilled = {key: other for key, other in self._unfilled.items() if other is not found}
        dtype, found.unfilled = found.unfilled, None
        storage = found.storage
        if storage.expired() or found.written is True:
            return
        flat = torch.empty(0, dtype=dtype).set_(torch.UntypedStorage._new_with_weak_ptr(storage.cdata), 0,
                                                (found.numel,), (1,))
        if found.written is False:
            flat.fill_(fill_value(dtype))
            return
        for window, unwritten in found.written.unwritten_windows(flat):
            window.masked_fill_(unwritten, fill_value(dtype))

    def unfilled(self, tensor: torch.Tensor) -> WrittenBits | bool | None:
        """The written record of ``tensor``'s storage when its never-written elements were not NaN-filled
        (``False``: none written), else ``None``: statistics must then leave those elements out."""
        tensor = local(tensor)
        found = self.allocation(tensor)
        if found is None or found.unfilled is None or found.written is True:
            return None
        if tensor.element_size() != found.itemsize:  # a view of another dtype: its bits do not map to elements
            self._fill_unwritten(found)
            return None
        return found.written

    @property
    def any_unfilled(self) -> bool:
        """Whether some tracked allocation still holds never-written elements that were not NaN-filled."""
        return bool(self._unfilled)

    def _resize(self, func, args, kwargs):
        target = kwargs.get("out", args[0] if args else None)
        before = _storage_bytes(target)
        out = func(*args, **kwargs)
        after = _storage_bytes(target)
        if before is not None and after is not None and after > before:
            with one_thread():
                _fill_grown(target, before)
        self._apply(func, args, kwargs, out, (_writes_to(func), None, None))
        return out

    # -- bookkeeping ------------------------------------------------------------------------
    @staticmethod
    def _fill(tensor: torch.Tensor) -> None:
        value = fill_value(tensor.dtype)
        if value is not None and tensor.device.type != "meta" and tensor.numel():
            tensor.fill_(value)

    def track(self, tensor: torch.Tensor, site: str, written: bool | WrittenBits = False) -> None:
        """Follow ``tensor``'s storage from now on as never written (or written), created at ``site``.

        The empty-family ops and the results made from never-written memory call this."""
        if tensor.device.type == "meta" or tensor.numel() == 0:
            return
        storage = tensor.untyped_storage()
        self._allocations[storage.data_ptr()] = Allocation(
            StorageWeakRef(storage), tensor.element_size(), storage.nbytes() // tensor.element_size(), site, written
        )
        self._since_sweep += 1
        if self._since_sweep > max(1024, len(self._allocations) + len(self._history)):
            self._sweep()

    def _sweep(self) -> None:
        """Forget allocations and write histories whose storage was freed (their bits too)."""
        self._since_sweep = 0
        self._allocations = {key: found for key, found in self._allocations.items() if not found.storage.expired()}
        self._history = {key: entry for key, entry in self._history.items() if not entry[0].expired()}
        self._unfilled = {key: found for key, found in self._unfilled.items() if not found.storage.expired()}

    @staticmethod
    def _storage(tensor: torch.Tensor):
        """``(untyped storage, its data pointer)`` of ``tensor``, or ``None`` when it has none to follow."""
        if tensor.is_meta or tensor.is_nested or tensor.layout != torch.strided:
            return None
        try:
            storage = tensor.untyped_storage()
            return storage, storage.data_ptr()
        except (RuntimeError, NotImplementedError, TypeError):  # no storage (DTensor, functional wrappers)
            return None

    def allocation(self, tensor: torch.Tensor) -> Allocation | None:
        """The live tracked allocation behind ``tensor``, if any."""
        found_storage = self._storage(tensor)
        if found_storage is None:
            return None
        storage, key = found_storage
        found = self._allocations.get(key)
        # the tracker's weak reference keeps the storage's C++ object alive: its address names it
        if found is None or found.storage.cdata != storage._cdata:
            return None
        return found

    def _wrote(self, view: torch.Tensor) -> None:
        found = self.allocation(view)
        if found is None or found.written is True:
            return
        if view.element_size() != found.itemsize or _covers(view, found.numel):
            self._written_all(found)
            return
        if found.written is False:
            found.written = WrittenBits(found.numel)
        found.written.add(view)
        if found.written.full():
            self._written_all(found)

    def _written_all(self, found: Allocation) -> None:
        found.written = True
        if found.unfilled is not None:
            found.unfilled = None
            self._unfilled = {key: other for key, other in self._unfilled.items() if other is not found}

    def _copied(self, destination: torch.Tensor, source: torch.Tensor) -> None:
        origin = self.allocation(source) if isinstance(source, torch.Tensor) else None
        target = self.allocation(destination)
        if origin is not None and origin.written is False and target is not None and _covers(destination, target.numel):
            target.site = origin.site
            return
        self._wrote(destination)

    # -- what wrote a storage ---------------------------------------------------------------
    def _record_write(self, func, args) -> None:
        """Remember the in-place op that wrote ``args[0]`` and its scalar arguments, per storage."""
        view = args[0] if args else None
        found_storage = self._storage(view) if isinstance(view, torch.Tensor) else None
        if found_storage is None:
            return
        numel = found_storage[0].nbytes() // max(view.element_size(), 1)
        operation = WriteOp(func.__name__.split(".")[0], _scalars(args[1:]), _covers(view, numel))
        self._remember(found_storage, self._writes_of(found_storage) + (operation,))

    def _writes_of(self, found_storage) -> tuple[WriteOp, ...]:
        """The remembered writes of the storage ``(storage, data pointer)``, oldest first."""
        storage, key = found_storage
        entry = self._history.get(key)
        # a weak reference names its storage (allocation): a freed storage's address may be reused
        return entry[1] if entry is not None and entry[0].cdata == storage._cdata else ()

    def _remember(self, found_storage, writes: tuple[WriteOp, ...]) -> None:
        """Set the remembered writes of the storage ``(storage, data pointer)`` (the last :data:`HISTORY`)."""
        storage, key = found_storage
        entry = self._history.get(key)
        reference = entry[0] if entry is not None and entry[0].cdata == storage._cdata else StorageWeakRef(storage)
        self._history[key] = (reference, writes[-HISTORY:])

    def _record_made(self, args, out, described: tuple[str | None, bool, str]) -> None:
        """Describe a fresh result by writes: a factory's draw, or its input's writes and a scalar step."""
        if not isinstance(out, torch.Tensor):
            return
        name, full, step = described
        if name is not None:
            scalars = _FACTORY_SCALARS.get(name) or _scalars(args[1:2] if full else args[:2])
            made = (_full_write(name, scalars if name != "fill_" or scalars else (1.0,)),)
        else:
            sources = [a for a in args[:2] if isinstance(a, torch.Tensor) and a.numel() > 1]
            scalar = _scalars(a for a in args[1:2] if not (isinstance(a, torch.Tensor) and a.numel() > 1))
            if len(sources) != 1 or sources[0] is not args[0] or (step and not scalar):
                return
            source_storage = self._storage(sources[0])
            before = self._writes_of(source_storage) if source_storage is not None else ()
            if not before:
                return
            made = before + ((_full_write(step, scalar),) if step else ())
        found_storage = self._storage(out)
        if found_storage is not None:
            self._remember(found_storage, made)

    # -- raw memory through out-of-place ops ------------------------------------------------
    def _follow_raw(self, kind: str, func, args, out: torch.Tensor) -> None:
        """Register the elements of an out-of-place result that are copies of, or computed from, raw memory."""
        made = self._storage(out)
        if made is None:
            return
        values = list(args[0]) if kind == "copy" and isinstance(args[0], (list, tuple)) else (
            [args[0]] if kind == "copy" else [a for a in args if isinstance(a, torch.Tensor)])
        masks = [self._raw_mask(value) for value in values]
        origin = next((site for _, site in masks if site), None)
        if origin is None or any(made[1] == (self._storage(v) or (None, None))[1] for v in values
                                 if isinstance(v, torch.Tensor)):
            return  # a view or an in-place result: its storage is followed already
        if all(mask is True for mask, _ in masks) and (kind == "pointwise" or func in _SAME_ELEMENTS):
            self.track(out, origin)  # every element made from raw memory: no mask needed
            return
        shaped = [_as_mask(mask, value) for (mask, _), value in zip(masks, values)]
        if kind == "copy":
            rest = list(args[1:]) if func is not aten.constant_pad_nd.default else [args[1], False]
            first = shaped if isinstance(args[0], (list, tuple)) else shaped[0]
            try:
                raw = shaped[0].clone() if func in _SAME_ELEMENTS else func(first, *rest)
            except (RuntimeError, TypeError):  # an op without a bool kernel: leave its result as written
                return
        else:
            raw = torch.zeros(out.shape, dtype=torch.bool)
            for mask in shaped:
                raw |= torch.broadcast_to(mask, out.shape)
        if raw.shape != out.shape or not bool(raw.any()):
            return
        self.track(out, origin, written=False if bool(raw.all()) else WrittenBits.written_except(out, raw))

    def _raw_mask(self, tensor) -> tuple[torch.Tensor | bool | None, str | None]:
        """Which elements of ``tensor`` are raw memory (``None`` when none, ``True`` when all are), and where
        that memory was made."""
        if not isinstance(tensor, torch.Tensor):
            return None, None
        found = self.allocation(tensor)
        if found is None or found.written is True or tensor.element_size() != found.itemsize:
            return None, None
        if found.written is False:
            return True, found.site
        seen = found.written.seen(tensor)
        return (~seen, found.site) if not bool(seen.all()) else (None, None)

    # -- queries ----------------------------------------------------------------------------
    def writes(self, tensor: torch.Tensor) -> tuple[WriteOp, ...]:
        """The last in-place ops that wrote ``tensor``'s storage during the watch, oldest first."""
        found_storage = self._storage(tensor)
        return self._writes_of(found_storage) if found_storage is not None else ()

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


def _as_mask(mask: torch.Tensor | bool | None, value) -> torch.Tensor:
    """A raw-memory mask of ``value``'s shape (``True``: all raw, ``None``: none)."""
    shape = value.shape if isinstance(value, torch.Tensor) else ()
    if mask is None or mask is True:
        return torch.full(shape, mask is True, dtype=torch.bool)
    return mask


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
