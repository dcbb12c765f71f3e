"""Rewrites of legacy tensor constructors into the modern factories, as libcst nodes.

``torch.FloatTensor(2, 2)`` becomes ``torch.empty(2, 2, dtype=torch.float32)`` and
``torch.cuda.FloatTensor([1, 2])`` becomes ``torch.tensor([1, 2], dtype=torch.float32,
device="cuda")``: the dtype and device the legacy type implied are spelled out, so the
rewrite keeps the semantics. ``torch.Tensor`` follows the default dtype, so its data form
says ``torch.get_default_dtype()``.
"""

from __future__ import annotations

import libcst as cst

from ruff_like_rules.vocabulary.torch_names import TorchNames, legacy_constructor_dtype


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    no_space = cst.SimpleWhitespace("")
    return cst.Arg(
        keyword=cst.Name(name), value=value, equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space)
    )


def _rewrite(call: cst.Call, names: TorchNames, factory: str, data_form: bool) -> cst.Call | None:
    qualified = names.qualify_torch(call.func)
    torch = names.torch_module_spelling()
    legacy = legacy_constructor_dtype(qualified) if qualified else None
    if legacy is None or torch is None:
        return None
    _, dtype, cuda = legacy
    args = list(call.args)
    present = {a.keyword.value for a in args if a.keyword is not None}
    extra: list[cst.Arg] = []
    if "dtype" not in present:
        if dtype is not None:
            extra.append(_keyword("dtype", cst.parse_expression(f"{torch}.{dtype}")))
        elif data_form:
            extra.append(_keyword("dtype", cst.parse_expression(f"{torch}.get_default_dtype()")))
    if cuda and "device" not in present:
        extra.append(_keyword("device", cst.SimpleString('"cuda"')))
    if extra and args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(func=cst.parse_expression(f"{torch}.{factory}"), args=[*args, *extra])


def as_empty(call: cst.Call, names: TorchNames) -> cst.Call | None:
    """``torch.FloatTensor(2, 2)`` -> ``torch.empty(2, 2, dtype=torch.float32)``; ``x.new(2)`` -> ``x.new_empty(2)``."""
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "new":
        return call.with_changes(func=call.func.with_changes(attr=cst.Name("new_empty")))
    return _rewrite(call, names, "empty", data_form=False)


def as_tensor(call: cst.Call, names: TorchNames) -> cst.Call | None:
    """``torch.FloatTensor([1, 2])`` -> ``torch.tensor([1, 2], dtype=torch.float32)``."""
    return _rewrite(call, names, "tensor", data_form=True)
