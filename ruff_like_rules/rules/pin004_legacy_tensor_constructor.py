"""PIN004: legacy constructors used with data, where the dtype is a surprise."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.rules.api import (
    Applicability,
    FileContext,
    Finding,
    FixAvailability,
    Function,
    Invalid,
    Rule,
    SizeForm,
    as_tensor,
    legacy_constructor_dtype,
    size_form,
)

_LITERAL_DATA = (cst.List, cst.Tuple, cst.ListComp)


class LegacyTensorConstructor(Rule):
    """
    ## What it does
    Checks for legacy tensor constructors called with data: `torch.FloatTensor([1, 2])`,
    `torch.Tensor(np_array)`, `torch.LongTensor(ids)`. With a single argument that is not a
    literal, such as `torch.Tensor(x)`, it says the call is ambiguous.

    ## Why is this bad?
    The legacy constructors are deprecated. Their dtype comes from the type name or the
    global default, not from the data, and a single argument means two different things:
    `torch.Tensor([3])` is a one-element tensor holding 3, while `torch.Tensor(3)` is three
    elements of uninitialized memory.

    ## Example
    ```python
    ids = torch.LongTensor([1, 2, 3])
    mean = torch.Tensor([0.485, 0.456, 0.406])
    ```

    ## Use instead
    ```python
    ids = torch.tensor([1, 2, 3], dtype=torch.int64)
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.get_default_dtype())
    ```

    ## Fix safety
    For literal data (`[...]`, `(...)`, comprehensions) the fix to `torch.tensor(...)` with
    the implied dtype and device spelled out is safe. For other data it is unsafe:
    `torch.tensor` always copies, while a legacy constructor given a tensor may share its
    memory. An ambiguous single argument gets no fix.
    """

    code = "PIN004"
    name = "legacy-tensor-constructor"
    summary = "Legacy tensor constructor called with data; use torch.tensor with an explicit dtype"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(r"Tensor\s*\(")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for function in ctx.index.functions:
            for call in function.legacy_calls:
                finding = self._check_call(ctx, call, function)
                if finding is not None:
                    yield finding

    def _check_call(self, ctx: FileContext, node: cst.Call, function: Function) -> Finding | None:
        qualified = ctx.names.qualify_torch(node.func)
        if qualified is None or legacy_constructor_dtype(qualified) is None:
            return None  # x.new(...): not a torch.* constructor
        form = size_form(node, function)
        spelled = ctx.code(node.func)
        if form == SizeForm.AMBIGUOUS:
            argument = ctx.code(node.args[0].value)
            return ctx.finding(
                self,
                node,
                f"`{spelled}({argument})` is ambiguous: it copies `{argument}` if that is data but allocates "
                "uninitialized memory if it is an int; use `torch.tensor(...)` or `torch.empty(...)`",
            )
        if form != SizeForm.DATA:
            return None
        replacement = as_tensor(node, ctx.names)
        fix = None
        if replacement is not None:
            literal = isinstance(node.args[0].value, _LITERAL_DATA)
            fix = ctx.replacement(
                node,
                replacement,
                f"Replace with `{ctx.code(replacement.func)}(...)` and an explicit dtype",
                Applicability.SAFE if literal else Applicability.UNSAFE,
            )
        return ctx.finding(
            self, node, f"Legacy constructor `{spelled}(...)` called with data; use `torch.tensor(...)` with an explicit dtype", fix
        )

    VALID = (
        """
import numpy as np
import torch
def quaternion_init(kernel_shape):
    number_of_weights = np.prod(kernel_shape)
    v_i = torch.FloatTensor(number_of_weights).uniform_(-1, 1)
    return v_i
""",
        """
import torch
def encode(words, append_eos, eos):
    nwords = len(words)
    ids = torch.IntTensor(nwords + 1 if append_eos else nwords)
    for i, word in enumerate(words):
        ids[i] = word
    if append_eos:
        ids[nwords] = eos
    return ids
""",
        """
import torch
def neighbors(g, ntype):
    return torch.LongTensor(g.num_nodes(ntype)).fill_(-1)
""",
        """
import torch
a = torch.tensor([1, 2], dtype=torch.float32)
b = torch.empty(3, 4)
c = torch.Tensor(3, 4)
d = torch.Tensor()
""",
        """
class Tensor:
    pass
t = Tensor([1, 2])
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (3, 5, "Legacy constructor `torch.FloatTensor(...)` called with data; use `torch.tensor(...)` with an "
                       "explicit dtype"),
                (4, 5, "Legacy constructor `torch.cuda.LongTensor(...)` called with data; use `torch.tensor(...)` "
                       "with an explicit dtype"),
                (5, 5, "Legacy constructor `torch.Tensor(...)` called with data; use `torch.tensor(...)` with an "
                       "explicit dtype"),
            ),
            source="""
import torch
a = torch.FloatTensor([1, 2])
b = torch.cuda.LongTensor((1, 2))
c = torch.Tensor([[0.5], [1.5]])
""",
            fixed="""
import torch
a = torch.tensor([1, 2], dtype=torch.float32)
b = torch.tensor((1, 2), dtype=torch.int64, device="cuda")
c = torch.tensor([[0.5], [1.5]], dtype=torch.get_default_dtype())
""",
        ),
        Invalid(
            findings=(
                (5, 5, "Legacy constructor `Tensor(...)` called with data; use `torch.tensor(...)` with an explicit "
                       "dtype"),
                (6, 5, "Legacy constructor `DoubleTensor(...)` called with data; use `torch.tensor(...)` with an "
                       "explicit dtype"),
            ),
            source="""
import numpy as np
from torch import Tensor, DoubleTensor
x = np.zeros(3)
t = Tensor(x)
u = DoubleTensor(np.ones(3))
""",
        ),
    )

