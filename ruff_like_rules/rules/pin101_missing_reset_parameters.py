"""PIN101 (preview): a module that creates parameters but has no reset_parameters()."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import FileContext, Finding, Invalid, Rule


class MissingResetParameters(Rule):
    """
    ## What it does
    Checks for `nn.Module` subclasses that create parameters themselves
    (`nn.Parameter(...)`, `register_parameter`) but define no `reset_parameters()`, in the
    class or a base class (of any project file), in projects that build on the meta device:
    some file of the project (the checked file's top package, or its directory) spells
    `torch.device("meta")`, `device="meta"`, `init_empty_weights()` or `.to_empty()`. A
    text checked without a path (stdin without `--stdin-filename`) is always checked.

    Stays preview: which classes the project builds on meta is not followed, only whether
    it does, and most classes are initialized by the root model's `init_weights` or
    `_init_weights` rather than their own `reset_parameters()` (Hugging Face, timm,
    torchtitan); a project that gains its first meta-device code re-checks a cached file
    only when that file (or a base it reads) changes. For classes that do have an
    initializer, PIN007 checks what it misses, precisely.

    ## Why is this bad?
    Large models are built on the meta device and materialized with `to_empty()`, after
    which FSDP, `torch.distributed` and most trainers call `reset_parameters()` on every
    submodule that has one. A module without it keeps whatever `to_empty()` left: garbage.

    ## Example
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.gain = nn.Parameter(torch.ones(n))
    ```

    ## Use instead
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.gain = nn.Parameter(torch.empty(n))
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.ones_(self.gain)
    ```

    ## Fix safety
    No automatic fix.
    """

    code = "PIN101"
    name = "missing-reset-parameters"
    summary = "Module creates parameters directly but has no reset_parameters() for meta-device init"
    preview = True
    trigger = re.compile(r"Parameter\s*\(|register_parameter\s*\(")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        index = ctx.index
        if index.foreign is not None and not index.foreign.builds_on_meta():
            return  # the project never builds on meta: nothing calls reset_parameters() after to_empty()
        creators = {id(s.owner): s.owner for s in ctx.storages if s.owner is not None and s.wrapper == "parameter"}
        for function in index.functions:
            if function.owner is not None and any(kind == "parameter" for _, kind, _ in function.wraps):
                creators.setdefault(id(function.owner), function.owner)
        for owner in creators.values():
            if index.has_opaque_base(owner) or index.method(owner, "reset_parameters") is not None:
                continue
            yield ctx.finding(
                self,
                owner.node.name,
                f"`{owner.name}` creates parameters but has no `reset_parameters()`; "
                "meta-device initialization (`to_empty()` + `reset_parameters()`) leaves them uninitialized",
            )

    VALID = (
        """
import torch
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.empty(n))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.ones_(self.gain)
""",
        """
import torch
from torch import nn

class Wide(nn.Linear):
    def __init__(self, n):
        super().__init__(n, n)
        self.extra = nn.Parameter(torch.ones(n))
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (5, 7, "`Scale` creates parameters but has no `reset_parameters()`; meta-device initialization "
                       "(`to_empty()` + `reset_parameters()`) leaves them uninitialized"),
            ),
            source="""
import torch
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))
""",
        ),
    )
