"""The meta-device path FSDP and large-model trainers take: build on ``meta``, ``to_empty()``, then
``reset_parameters()`` on every submodule that has one.

Whatever no initializer reaches stays as raw memory; under watch it is NaN and tracked as never
written, and the finding names the module class that lacks (or has an incomplete) ``reset_parameters``.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from .allow import AllowList
from .capture import watch
from .checker import check_module, describe_error
from .findings import CheckId
from .report import ModuleReport


def reset_every_submodule(module: nn.Module) -> None:
    """Call ``reset_parameters()`` on every submodule that defines it (the FSDP convention)."""
    for submodule in module.modules():
        reset = getattr(submodule, "reset_parameters", None)
        if callable(reset):
            reset()


def build_deferred_and_check(
    factory: Callable[..., nn.Module],
    *args: Any,
    allow: AllowList = AllowList(),
    initialize: Callable[[nn.Module], None] = reset_every_submodule,
    device: str | torch.device = "cpu",
    **kwargs: Any,
) -> tuple[nn.Module | None, ModuleReport]:
    """Build on meta, materialize with ``to_empty`` under watch, run ``initialize`` and check."""
    title = f"{getattr(factory, '__qualname__', repr(factory))} (deferred)"
    try:
        with torch.device("meta"):
            module = factory(*args, **kwargs)
        with watch() as tracker:
            module.to_empty(device=device)
            initialize(module)
    except Exception as error:  # the report says which step raised
        return None, ModuleReport(title, error=f"deferred build raised {describe_error(error)}")
    # buffers lost by to_empty() are the meta-device issue's (#14); here only parameters are judged
    report = check_module(module, tracker=tracker, allow=allow, title=title, buffers=False)
    owners = dict(module.named_modules())
    for finding in report.findings:
        if finding.check == CheckId.UNINITIALIZED:
            owner_name = finding.name.rpartition(".")[0]
            owner = type(owners[owner_name])
            has_reset = callable(getattr(owner, "reset_parameters", None))
            finding.site = (
                f"{owner.__qualname__}.reset_parameters() does not initialize it" if has_reset
                else f"{owner.__qualname__} has no reset_parameters()"
            )
    return module, report
