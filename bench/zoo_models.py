"""The zoos: which models each one holds (``list_models``) and how to build one from config (``prepare``).

A model id is ``zoo:name``.  ``prepare`` returns a zero-argument factory that builds the model with no
weights, and facts about how it was made (the shrink level of a transformers config, say); a model that
cannot be made raises :class:`Unbuildable` with the reason, which the benchmark prints grouped.
Every zoo is a pair of functions registered in :data:`ZOOS`; the heavier ones live in ``zoo_hf.py``.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Callable

import torch
from torch import nn

from zoo_shrink import LEVELS

Factory = Callable[[], nn.Module]
MAX_PARAMETERS = 150_000_000  # larger models are left out (building and checking them takes minutes)


class Unbuildable(Exception):
    """A model the zoo holds but that cannot be built here; the message says why."""

    def __init__(self, reason: str, **info: Any) -> None:
        super().__init__(reason)
        self.info = info


def meta_parameters(factory: Factory) -> int | None:
    """Parameter count of a build on the meta device (None when it cannot be built there)."""
    try:
        with torch.device("meta"):
            model = factory()
    except Exception:  # noqa: BLE001 - many models compute values in __init__ that meta cannot give
        return None
    return sum(p.numel() for p in model.parameters())


def checked_size(factory: Factory, what: str, *, unknown_ok: bool = True) -> Factory:
    """``factory``, refused when a meta build shows more than :data:`MAX_PARAMETERS` parameters
    (or, unless ``unknown_ok``, when the meta build fails and the size cannot be known)."""
    count = meta_parameters(factory)
    if count is None and not unknown_ok:
        raise Unbuildable(f"size unknown: {what} cannot be built on the meta device, and not all of it is shrunk")
    if count is not None and count > MAX_PARAMETERS:
        raise Unbuildable(f"too large: {count / 1e6:.0f} M parameters ({what})", parameters=count)
    return factory


def first_level_that_builds(attempt: Callable[[str], Factory], what: str, *,
                            size_known: bool = False) -> tuple[Factory, dict]:
    """Try each shrink level in turn; the first whose build works, with the errors of those before."""
    errors = {}
    for level in LEVELS:
        try:
            shrunk = not size_known and level in ("tiny", "head-dim")
            factory = checked_size(attempt(level), f"{what} at level {level}", unknown_ok=shrunk)
            factory()  # one build proves the level works; the benchmark then times others
            return factory, {"level": level, "level_errors": errors}
        except Unbuildable as refused:
            errors[level] = str(refused)
        except Exception as error:  # noqa: BLE001 - each level's error is recorded
            errors[level] = f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"
    raise Unbuildable(f"no shrink level builds; last: {errors['default']}", level_errors=errors)


# ------------------------------------------------------------------------------------- timm

_SIZE_WORDS = ("atto", "femto", "pico", "nano", "tiny", "xxs", "xxsmall", "xs", "xsmall", "mini", "micro",
               "small", "s", "lite", "b0", "base", "medium", "m", "large", "l", "huge", "xl", "giant", "g")


def _size_key(name: str) -> tuple:
    parts = re.split(r"[_.\-]", name)
    ranks = [_SIZE_WORDS.index(p) for p in parts if p in _SIZE_WORDS]
    numbers = [int(n) for n in re.findall(r"\d+", parts[0] + "".join(parts[1:2]))]
    return (min(ranks) if ranks else len(_SIZE_WORDS) // 2, numbers[:1] or [0], len(name), name)


def timm_models() -> list[str]:
    """One model per timm module ("family"): the variant whose name says it is smallest."""
    import timm

    chosen = []
    for module in sorted(timm.list_modules()):
        names = timm.list_models(module=module)
        if names:
            chosen.append(min(names, key=_size_key))
    return chosen


def timm_prepare(name: str) -> tuple[Factory, dict]:
    import timm

    return checked_size(lambda: timm.create_model(name, pretrained=False), name), {}


# ------------------------------------------------------------------------------ torchvision


def torchvision_models() -> list[str]:
    import torchvision

    return sorted(torchvision.models.list_models())


def torchvision_prepare(name: str) -> tuple[Factory, dict]:
    import torchvision

    builder = torchvision.models.get_model_builder(name)
    parameters = inspect.signature(builder).parameters
    kwargs: dict[str, Any] = {"weights": None}
    if "weights_backbone" in parameters:
        kwargs["weights_backbone"] = None
    if "quantize" in parameters:
        kwargs["quantize"] = False
    return checked_size(lambda: builder(**kwargs), name), {}


# ------------------------------------------------------------------------------ registry


def _zoos() -> dict[str, tuple[Callable[[], list[str]], Callable[[str], tuple[Factory, dict]]]]:
    from zoo_hf import (diffusers_models, diffusers_prepare, peft_models, peft_prepare, transformers_models,
                        transformers_prepare)
    from zoo_misc import (open_clip_models, open_clip_prepare, pyg_models, pyg_prepare, smp_models, smp_prepare,
                          x_transformers_models, x_transformers_prepare)

    return {
        "timm": (timm_models, timm_prepare),
        "torchvision": (torchvision_models, torchvision_prepare),
        "transformers": (transformers_models, transformers_prepare),
        "diffusers": (diffusers_models, diffusers_prepare),
        "peft": (peft_models, peft_prepare),
        "torch_geometric": (pyg_models, pyg_prepare),
        "open_clip": (open_clip_models, open_clip_prepare),
        "segmentation_models_pytorch": (smp_models, smp_prepare),
        "x_transformers": (x_transformers_models, x_transformers_prepare),
    }


ZOOS = ("timm", "torchvision", "transformers", "diffusers", "peft", "torch_geometric", "open_clip",
        "segmentation_models_pytorch", "x_transformers")


def list_models(only: list[str] | None, limit: int | None) -> list[str]:
    """Model ids of the chosen zoos; with ``limit``, the first N of each zoo."""
    zoos = _zoos()
    ids = []
    for zoo in only or ZOOS:
        names = zoos[zoo][0]()
        ids += [f"{zoo}:{name}" for name in (names[:limit] if limit else names)]
    return ids


def prepare(model_id: str) -> tuple[Factory, dict]:
    zoo, _, name = model_id.partition(":")
    return _zoos()[zoo][1](name)
