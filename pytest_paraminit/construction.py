"""Check every ``nn.Module`` when its outermost constructor returns (``pytest --check-param-init``).

Torch offers no "module constructed" hook, and ``nn.Module.__init__`` returns before a subclass
creates its parameters, so the ``__init__`` of every ``nn.Module`` subclass is wrapped: existing
classes when the hook is installed, later ones through ``nn.Module.__init_subclass__``.  A depth
counter per thread finds the outermost constructor, which runs under :func:`capture.watch`.
Nothing is watched unless an observer is set (during a test's setup and call), and a module built
while someone else watches (the ``param_init`` fixture) is left to them.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from typing import Callable

from torch import nn

from .capture import WriteTracker, active_tracker, user_site, watch

Observer = Callable[[nn.Module, WriteTracker, str], None]

_WRAPPED = "__paraminit_wrapped__"
_local = threading.local()
_observer: Observer | None = None
_originals: dict[type, Callable] = {}
_arguments: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # module -> its constructor's (args, kwargs)


def _wrap(init: Callable) -> Callable:
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        depth = getattr(_local, "depth", 0)
        if _observer is None or (depth == 0 and active_tracker() is not None):
            return init(self, *args, **kwargs)
        _local.depth = depth + 1
        try:
            if depth:
                return init(self, *args, **kwargs)
            site = user_site()
            with watch() as tracker:
                init(self, *args, **kwargs)
        finally:
            _local.depth = depth
        observer = _observer
        if observer is not None:
            _arguments[self] = (args, kwargs)
            observer(self, tracker, site)

    setattr(__init__, _WRAPPED, True)
    return __init__


def _wrap_class(cls: type) -> None:
    init = cls.__dict__.get("__init__")
    if init is not None and not getattr(init, _WRAPPED, False) and cls not in _originals:
        _originals[cls] = init
        cls.__init__ = _wrap(init)


def _subclasses(root: type) -> list[type]:
    found, stack = [], [root]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _init_subclass(cls, **kwargs):
    super(nn.Module, cls).__init_subclass__(**kwargs)
    _wrap_class(cls)


def install() -> None:
    """Wrap the constructors of every current and future ``nn.Module`` subclass."""
    for cls in _subclasses(nn.Module):
        _wrap_class(cls)
    nn.Module.__init_subclass__ = classmethod(_init_subclass)


def uninstall() -> None:
    """Restore every wrapped constructor."""
    set_observer(None)
    if nn.Module.__dict__.get("__init_subclass__") is not None:
        del nn.Module.__init_subclass__
    for cls, init in _originals.items():
        cls.__init__ = init
    _originals.clear()


def constructor_arguments(module: nn.Module) -> tuple[tuple, dict] | None:
    """The ``(args, kwargs)`` an observed module was built with (``--param-init-deferred`` builds it again)."""
    return _arguments.get(module)


@contextlib.contextmanager
def unobserved():
    """Build modules inside the block without reporting them (the observer's own second builds)."""
    observer = _observer
    set_observer(None)
    try:
        yield
    finally:
        set_observer(observer)


def set_observer(observer: Observer | None) -> None:
    """Who receives each module built from now on (``None``: build without watching)."""
    global _observer
    _observer = observer
