"""PIN003: the only initialization of a parameter sits in a method construction never calls."""

from __future__ import annotations

from collections.abc import Iterator

from ruff_like_rules.rules.api import (
    RAW_MEMORY,
    WRAPS,
    Applicability,
    FileContext,
    Finding,
    FixAvailability,
    Invalid,
    Rule,
    Verdict,
    initializer_call,
)


class InitializerNotCalled(Rule):
    """
    ## What it does
    Checks for parameters and buffers made from uninitialized memory that are initialized
    only in an initializer method — `reset_parameters`, `_reset_parameters`,
    `init_weights`, `_init_weights` and the other names in `initializer-methods` — that
    the constructor never calls (directly, through other methods, `self.apply`, or a base
    class that calls it), or calls only before it creates the storage (`self.apply(
    self._init_weights)` one line too early, a `hasattr` guard hiding the mistake): when it
    runs, there is nothing to initialize yet.

    ## Why is this bad?
    The module looks correct when read, but a freshly built instance holds garbage until
    somebody remembers to call the initializer. Most callers never do.

    ## Example
    ```python
    class Gate(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(n, n))

        def reset_parameters(self):
            nn.init.orthogonal_(self.weight)
    ```

    ## Use instead
    ```python
    class Gate(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(n, n))
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.orthogonal_(self.weight)
    ```

    ## Fix safety
    An unsafe fix calls the initializer at the end of `__init__` (`self.reset_parameters()`,
    or `self.apply(self._init_weights)` for an initializer that takes a module). It is
    unsafe because it changes the values a module starts with, and the initializer may
    have been meant to run later (after loading, or from a parent model).
    """

    code = "PIN003"
    name = "initializer-not-called"
    summary = "Parameter initialized only in an initializer method that construction never calls"
    trigger = RAW_MEMORY
    fix_availability = FixAvailability.SOMETIMES
    trigger_with = WRAPS

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for storage in ctx.flow.raw_memory_storages(Verdict.INITIALIZER_NOT_CALLED):
            yield ctx.finding(
                self,
                storage.source.call,
                f"{storage.noun} `{storage.display()}` is initialized only in `{storage.initializer}()`, "
                + ("which `__init__` runs only before creating it" if ctx.flow.runs_too_early(storage)
                   else "which construction never calls"),
                initializer_call(ctx, storage),
            )

    VALID = (
        """
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.orthogonal_(self.weight)
""",
        """
import torch
from torch import nn

class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.build()
        self.reset_parameters()

class Gate(Base):
    def build(self):
        self.weight = nn.Parameter(torch.empty(4, 4))

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
""",
        """
import torch
from transformers import PreTrainedModel

class Model(PreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.w = torch.nn.Parameter(torch.empty(4, 4))
        self.post_init()

    def _init_weights(self, module):
        torch.nn.init.normal_(self.w)
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (8, 36, "Parameter `self.weight` is initialized only in `reset_parameters()`, which construction "
                        "never calls"),
            ),
            applicability=Applicability.UNSAFE,
            source="""
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        # gate weights

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
""",
            fixed="""
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self.reset_parameters()
        # gate weights

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
""",
        ),
        Invalid(
            findings=(
                (8, 36, "Parameter `self.weight` is initialized only in `reset_parameters()`, which construction "
                        "never calls"),
            ),
            source="""
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))

    def reset_parameters(self):
        nn.init.orthogonal_(self.weight)
""",
        ),
        Invalid(
            findings=(
                (9, 37, "Parameter `self.prompts` is initialized only in `_init_weights()`, which `__init__` runs "
                        "only before creating it"),
            ),
            applicability=Applicability.UNSAFE,
            source="""
import torch
from torch import nn

class Prompted(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.apply(self._init_weights)
        self.prompts = nn.Parameter(torch.empty(4, n))

    def _init_weights(self, m):
        if hasattr(m, "prompts"):
            nn.init.normal_(m.prompts, std=0.02)
""",
            fixed="""
import torch
from torch import nn

class Prompted(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.apply(self._init_weights)
        self.prompts = nn.Parameter(torch.empty(4, n))
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if hasattr(m, "prompts"):
            nn.init.normal_(m.prompts, std=0.02)
""",
        ),
    )
