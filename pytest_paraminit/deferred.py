"""The meta-device path large-model trainers take: build on ``meta``, ``to_empty()``, then initialize.

Whatever the initializer does not reach stays raw memory; under watch it is NaN and tracked as never
written.  That holds for buffers too: ``to_empty()`` keeps no buffer values, persistent or not, so a
rotary ``inv_freq`` or a causal mask computed in ``__init__`` is lost unless the initializer
recomputes it.  Each miss names the class that owns the tensor, the initializer that skipped it and
what the eager build wrote there (:mod:`provenance`); originals of a parametrization show under the
user-facing name (:mod:`parametrized`).  Which initializer runs is :mod:`initializers`' business.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from . import construction
from .allow import AllowList
from .capture import watch
from .checker import check_module, describe_error
from .distributed import first_failure, in_job
from .findings import CheckId, Finding
from .initializers import DEFAULT, Initializer, InitializerError, class_name, resolve
from .parametrized import display_name, parametrization_of
from .provenance import EAGER_DEFECTS, eager_writers
from .report import ModuleReport


def reset_every_submodule(module: nn.Module) -> None:
    """Call ``reset_parameters()`` on every submodule that defines it (the FSDP convention)."""
    resolve(DEFAULT)(module)


def build_deferred_and_check(
    factory: Callable[..., nn.Module],
    *args: Any,
    allow: AllowList = AllowList(),
    initialize: str | Callable[[nn.Module], None] | None = None,
    device: str | torch.device = "cpu",
    compare: bool = True,
    shard: Callable[[nn.Module], Any] | None = None,
    **kwargs: Any,
) -> tuple[nn.Module | None, ModuleReport]:
    """Build on meta, materialize with ``to_empty`` under watch, run the initializer and check.

    ``initialize`` is a name (``"reset_parameters"``, the default; ``"init_weights"``;
    ``"_init_weights"``; ``"post_init"``), an import path ``"pkg.mod:function"`` or a callable taking
    the model.  An unknown name raises :class:`~.initializers.InitializerError`; a model without the
    named method gives a report whose ``error`` says so.  With ``compare`` a model with misses is
    built once more eagerly, so that each miss says what the eager build wrote there.

    ``shard`` runs on the meta model before ``to_empty()``, as torchtitan does (``fully_shard`` per block,
    ``parallelize_module``); every rank of the job must call this together (:mod:`distributed`), and a
    sharded model is not compared with an eager build.
    """
    initializer = resolve(initialize)
    title = f"{getattr(factory, '__qualname__', repr(factory))} (deferred, {initializer.name})"
    failed = None
    try:
        # the meta build is this report's alone: under --check-param-init the flag would check it
        # (and with --param-init-deferred build it deferred again, inside this device context)
        with construction.unobserved(), torch.device("meta"):
            module = factory(*args, **kwargs)
        if shard is not None:
            shard(module)
        initializer.check(module)
        with watch() as tracker:
            module.to_empty(device=device)
            initializer(module)
    except InitializerError as error:
        failed = str(error)
    except Exception as error:  # the report says which step raised
        failed = f"deferred build raised {describe_error(error)}"
    if in_job(()):  # one rank's failure is every rank's: the others would wait for it in the check
        failed = first_failure(failed)
    if failed is not None:
        return None, ModuleReport(title, error=failed)
    report = check_module(module, tracker=tracker, allow=allow, title=title)
    misses = [f for f in report.findings if f.check == CheckId.UNINITIALIZED]
    poisoned = _poisoned_buffers(module, {f.name for f in misses}, allow)
    names = [f.name for f in misses + poisoned]
    # a sharded model's eager build would not be sharded alike
    eager = eager_writers(factory, args, kwargs, names) if (compare or poisoned) and names and shard is None else {}
    for finding in misses:
        _explain(finding, module, initializer, eager.get(finding.name))
    for finding in poisoned:
        if eager.get(finding.name) not in EAGER_DEFECTS:  # raw or NaN eagerly too is the eager check's business
            _explain(finding, module, initializer, eager.get(finding.name))
            report.state_findings.insert(0, finding)
    return module, report


def _poisoned_buffers(module: nn.Module, missed: set[str], allow: AllowList) -> list[Finding]:
    """Float buffers that were written, but with NaN: computed from raw memory after ``to_empty()``.

    Spectral norm's ``_u``/``_v`` are recomputed by a power iteration over the raw weight, so they
    count as written; eagerly the same buffers are finite (checked before the finding is kept).
    """
    found = []
    for name, buffer in module.named_buffers():
        if name in missed or not buffer.is_floating_point() or buffer.is_meta or buffer.numel() == 0:
            continue
        nan = int(buffer.detach().isnan().sum())
        if nan:
            finding = Finding(CheckId.NON_FINITE, name, f"{nan} of {buffer.numel()} elements NaN (buffer, computed "
                              "from raw memory)", "all finite")
            finding.allowed = allow.allows(finding.check, name)
            found.append(finding)
    return found


def _explain(finding: Finding, root: nn.Module, initializer: Initializer, eager: str | None) -> None:
    """Say who owns the missed tensor, which initializer skipped it, what eager wrote, and the fix."""
    name = finding.name
    owner_path, _, leaf = name.rpartition(".")
    parametrized = parametrization_of(root, name)
    owner = root.get_submodule(parametrized[0].rpartition(".")[0] if parametrized else owner_path)
    deferred = initializer.misses(root, owner)
    finding.hint = initializer.fix(root, owner, parametrized[0] if parametrized else name)
    if parametrized and not leaf.startswith("original"):
        finding.hint = (f"{parametrized[1]} keeps state in {leaf}, which to_empty() wiped: apply {parametrized[1]} "
                        f"after materializing and initializing {parametrized[0]}, or write {leaf} again in the "
                        "initializer as the parametrization's __init__ does")
    elif parametrized:
        finding.hint = (f"assign the parametrized tensor in the initializer ({parametrized[0]} = value under "
                        f"torch.no_grad()): right_inverse then sets every original; writing {parametrized[0]} "
                        "in place writes a computed copy")
    elif leaf in owner._buffers:
        kind = "non-persistent " if leaf in owner._non_persistent_buffers_set else ""
        deferred = f"{class_name(owner)} registers this {kind}buffer; {deferred}"
        finding.hint = (f"recompute it in {initializer.where(root, owner)} ({initializer.expression(owner, name)}"
                        ".copy_(...), as the constructor computes it); to_empty() keeps no buffer values, "
                        "and persistent=False does not change that")
    finding.name = display_name(root, name)
    state = "never written" if finding.check == CheckId.UNINITIALIZED else "computed from raw memory"
    finding.site = f"eager: {_written(eager)}; deferred: {state} — {deferred}" if eager else deferred


def _written(eager: str) -> str:
    return eager if eager.startswith("computed ") or eager in EAGER_DEFECTS else f"written by {eager}"


def rebuild_deferred(module: nn.Module, args: tuple, kwargs: dict, *, allow: AllowList,
                     initialize: str | Callable | None) -> ModuleReport | None:
    """``--param-init-deferred``: build ``type(module)(*args, **kwargs)`` again on the deferred path.

    None when it cannot be rebuilt faithfully: an argument holds a tensor or a module (built on the
    real device already, so ``to_empty()`` would wipe what the test made).  A model without the
    configured initializer's method takes ``reset_parameters`` (a test's ``nn.Linear`` has no
    ``init_weights``).
    """
    if any(isinstance(value, (torch.Tensor, nn.Module)) for value in _leaves((args, kwargs))):
        return None
    initializer = resolve(initialize)
    if initializer.function is None and not callable(getattr(module, initializer.name, None)):
        initializer = resolve(DEFAULT)
    _, report = build_deferred_and_check(type(module), *args, allow=allow, initialize=initializer, **kwargs)
    return report


def _leaves(value: Any, depth: int = 0):
    """The values inside nested lists, tuples and dicts (a few levels deep)."""
    if isinstance(value, (list, tuple)) and depth < 4:
        for item in value:
            yield from _leaves(item, depth + 1)
    elif isinstance(value, dict) and depth < 4:
        for item in value.values():
            yield from _leaves(item, depth + 1)
    else:
        yield value
