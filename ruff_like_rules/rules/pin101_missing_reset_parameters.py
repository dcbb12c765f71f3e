"""PIN101 (preview): a module that creates parameters but has no reset_parameters()."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import FileContext, Finding, Invalid, Rule, reached_on_meta


class MissingResetParameters(Rule):
    """
    ## What it does
    Checks for `nn.Module` subclasses that create parameters themselves
    (`nn.Parameter(...)`, `register_parameter`) but define no `reset_parameters()`, in the
    class or a base class (of any project file), when a meta-device build of the project
    reaches them: some file of the project (the checked file's top package, or its
    directory) constructs the class, or a class of the same file whose construction builds
    it (`GPT.__init__` builds `Block`), inside `with torch.device("meta"):` or
    `with init_empty_weights():`, with `device="meta"`, or calls `to_empty()` on that
    construction. A text checked without a path (stdin without `--stdin-filename`) is
    always checked.

    Stays preview: a build through a variable (`factory(*args)`, `cls(config)`,
    `AutoModel.from_config(...)`) names no class, so what it reaches is not reported; a
    class built by a class of another file is not followed; and a project that gains its
    first meta-device build re-checks a cached file only when that file (or a base it reads)
    changes. For classes that do have an initializer, PIN007 checks what it misses,
    precisely.

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
        creators = {id(s.owner): s.owner for s in ctx.storages if s.owner is not None and s.wrapper == "parameter"}
        for function in index.functions:
            if function.owner is not None and any(kind == "parameter" for _, kind, _ in function.wraps):
                creators.setdefault(id(function.owner), function.owner)
        if not creators:
            return
        built = index.foreign.classes_built_on_meta() if index.foreign is not None else None
        # only what a meta build reaches is materialized by to_empty() and re-initialized after
        reached = None if built is None else reached_on_meta(ctx.text, built)
        for owner in creators.values():
            if reached is not None and owner.name not in reached:
                continue
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
