"""PIN005: a tensor that requires grad kept on a module as a plain attribute."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ruff_like_rules.rules.api import (
    PARAMETER,
    Applicability,
    Facts,
    FileContext,
    Finding,
    FixAvailability,
    Invalid,
    Registration,
    Rule,
    enables_grad,
    keyword_is_true,
    method_name,
)

_GRAD = r"requires_grad(?:\s*=\s*True\b|_\(\s*(?:True\s*)?\))"


class UnregisteredLearnableTensor(Rule):
    """
    ## What it does
    Checks for `nn.Module` subclasses whose construction (`__init__` and the methods it
    calls) keeps a tensor that requires grad as a plain attribute of `self`: created with
    `requires_grad=True` (`torch.randn(..., requires_grad=True)`,
    `Variable(x, requires_grad=True)`), or made so with `.requires_grad_()` or
    `.requires_grad = True`, directly or through a local.

    ## Why is this bad?
    `nn.Module.__setattr__` registers only Parameters, Modules and buffers. A plain tensor
    is invisible to `model.parameters()`, so the optimizer never updates it; `state_dict()`
    never saves it and `.to(device)` never moves it. It looks learnable and silently is not.

    ## Example
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.gain = torch.ones(n, requires_grad=True)
    ```

    ## Use instead
    ```python
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.gain = nn.Parameter(torch.ones(n))
    ```

    ## Fix safety
    The fix wraps the value in `nn.Parameter(...)` and drops the now redundant
    `requires_grad=True` or `.requires_grad_()`. It is unsafe: it changes what
    `parameters()` and `state_dict()` return, so optimizers and checkpoints change.
    """

    code = "PIN005"
    name = "unregistered-learnable-tensor"
    summary = "Tensor that requires grad kept as a plain module attribute: not a parameter"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(
        r"=(?![^\n]*Parameter)[^\n]*" + _GRAD
        + r"|self\.\w+\s*=\s*(?:\w+\.)*\w+\(\s*\n[^\n]*requires_grad\s*=\s*True"
        + r"|self\.\w+\." + _GRAD
        + r"|\." + _GRAD + r"(?=[\s\S]{0,3000}?self\.\w+\s*=\s*\w+\s*\n)"
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        registration = ctx.registration
        for facts in registration.construction:
            wrapped = {attr for attr, value, _ in facts.assigns if isinstance(value, cst.Call) and ctx.names.is_parameter_class(value.func)}
            registered = registration.registered_attributes(facts.owner) | wrapped
            for attribute, value, _ in facts.assigns:
                if attribute in registered:
                    continue
                marked = f"{facts.function.self_name}.{attribute}" in facts.grad_marks
                if not (registration.requires_grad(value, facts) or (marked and registration.is_tensor(value, facts.function))):
                    continue
                if registration.concerns(self, facts.function):
                    yield self._finding(ctx, registration, facts, attribute, value)

    def _finding(self, ctx: FileContext, registration: Registration, facts: Facts, attribute: str, value: cst.BaseExpression) -> Finding:
        spelled = registration.spelling(PARAMETER)
        fix = None
        if spelled is not None:
            wrapped = cst.Call(cst.parse_expression(spelled), [cst.Arg(_without_grad(value))])
            fix = ctx.replacement(value, wrapped, f"Wrap in `{spelled}(...)`", Applicability.UNSAFE)
        return ctx.finding(
            self,
            value,
            f"`{facts.function.self_name}.{attribute}` is a tensor that requires grad but not a parameter: "
            "the optimizer, `state_dict()` and `.to()` never see it; wrap it in `nn.Parameter(...)`",
            fix,
        )

    VALID = (
        """
import torch
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n, requires_grad=True))
        self.mask = torch.ones(n)
        self.frozen = torch.ones(n, requires_grad=False)
""",
        """
import torch

class Holder:
    def __init__(self, n):
        self.w = torch.randn(n, requires_grad=True)
""",
    )
    INVALID = (
        Invalid(
            findings=(
                (8, 21, "`self.gain` is a tensor that requires grad but not a parameter: the optimizer, "
                        "`state_dict()` and `.to()` never see it; wrap it in `nn.Parameter(...)`"),
                (9, 21, "`self.bias` is a tensor that requires grad but not a parameter: the optimizer, "
                        "`state_dict()` and `.to()` never see it; wrap it in `nn.Parameter(...)`"),
            ),
            source="""
import torch as th
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = th.ones(n, requires_grad=True)
        self.bias = th.zeros(n).requires_grad_()
""",
            fixed="""
import torch as th
from torch import nn

class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(th.ones(n))
        self.bias = nn.Parameter(th.zeros(n))
""",
            applicability=Applicability.UNSAFE,
        ),
        Invalid(
            findings=(
                (10, 18, "`self.t` is a tensor that requires grad but not a parameter: the optimizer, `state_dict()` "
                         "and `.to()` never see it; wrap it in `nn.Parameter(...)`"),
            ),
            source="""
import torch
import torch.nn as nn

class Temperature(nn.Module):
    def __init__(self):
        super().__init__()
        t = torch.ones(1)
        t.requires_grad = True
        self.t = t
""",
            fixed="""
import torch
import torch.nn as nn

class Temperature(nn.Module):
    def __init__(self):
        super().__init__()
        t = torch.ones(1)
        t.requires_grad = True
        self.t = nn.Parameter(t)
""",
            applicability=Applicability.UNSAFE,
        ),
    )


def _without_grad(expr: cst.BaseExpression) -> cst.BaseExpression:
    """The same tensor without the request for grad a Parameter makes redundant."""
    if not isinstance(expr, cst.Call):
        return expr
    if enables_grad(expr):
        return expr.func.value  # type: ignore[union-attr]
    if keyword_is_true(expr, "requires_grad"):
        args = [a for a in expr.args if not (a.keyword is not None and a.keyword.value == "requires_grad")]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if method_name(expr) is None and _is_variable(expr) and len(args) == 1 and args[0].keyword is None and not args[0].star:
            return args[0].value
        return expr.with_changes(args=args)
    if isinstance(expr.func, cst.Attribute):
        return expr.with_changes(func=expr.func.with_changes(value=_without_grad(expr.func.value)))
    return expr


def _is_variable(call: cst.Call) -> bool:
    return isinstance(call.func, (cst.Name, cst.Attribute)) and (
        (call.func.value if isinstance(call.func, cst.Name) else call.func.attr.value) == "Variable"
    )
