"""What each parameter is for, which decides the scale it needs.

Sources, strongest first: the layer type that owns it (``nn.Linear.weight``), a watched forward pass
when the caller gives an example input (which aten op consumed the parameter, and over how many
elements it was contracted), how the owner's ``forward`` source uses it (read with ``inspect`` and
``ast``), and finally its name and size.  A parameter whose role stays unknown is judged only by
what is wrong for every role.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from .tensors import is_lazy


class Kind(StrEnum):
    """What a parameter is for; each kind sets the scale it needs (``docs/scale-band.md``)."""

    WEIGHT = "weight"
    EMBEDDING = "embedding"
    BIAS = "bias"
    GAIN = "gain"
    GATE = "gate"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Role:
    kind: Kind
    fan_in: int | None = None  # weights only: elements each output sums over
    source: str = ""  # how the role was learned, for the report
    unit_dim: int = 0  # the dimension that indexes output units (rows of nn.Linear, columns of GPT-2's Conv1D)


def torch_fan_in(shape: torch.Size) -> int:
    """PyTorch's convention (``nn.init._calculate_fan_in_and_fan_out``): dim 1 times the receptive field."""
    return shape[1] * math.prod(shape[2:]) if len(shape) >= 2 else shape[0]


_NORMS = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.RMSNorm)
_CONVS = (nn.modules.conv._ConvNd,)


def _layer_role(module: nn.Module, name: str, param: torch.Tensor) -> Role | None:
    shape = param.shape
    if isinstance(module, nn.Linear) and name == "weight":
        return Role(Kind.WEIGHT, shape[1], "nn.Linear")
    if isinstance(module, _CONVS) and name == "weight":
        return Role(Kind.WEIGHT, torch_fan_in(shape), type(module).__name__)
    if isinstance(module, nn.Bilinear) and name == "weight":
        return Role(Kind.WEIGHT, shape[1], "nn.Bilinear")
    if isinstance(module, nn.RNNBase) and name.startswith("weight_"):
        return Role(Kind.WEIGHT, shape[1], type(module).__name__)
    if isinstance(module, nn.MultiheadAttention) and name.endswith("proj_weight"):
        return Role(Kind.WEIGHT, shape[1], "nn.MultiheadAttention")
    if isinstance(module, nn.MultiheadAttention) and name in ("bias_k", "bias_v"):
        return Role(Kind.EMBEDDING, source="nn.MultiheadAttention")
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and name == "weight":
        return Role(Kind.EMBEDDING, source=type(module).__name__)
    if isinstance(module, (*_NORMS, nn.PReLU)) and name == "weight":
        return Role(Kind.GAIN, source=type(module).__name__)
    return None


def _shape_role(name: str, param: torch.Tensor) -> Role | None:
    if param.numel() == 1:
        return Role(Kind.GATE, source="one element")
    if "bias" in name.lower() and sum(size > 1 for size in param.shape) <= 1:
        return Role(Kind.BIAS, source="name")
    return None


def infer_roles(module: nn.Module, example_input=None) -> dict[str, Role]:
    """Role of every parameter, by qualified name (as ``named_parameters`` gives it)."""
    observed = observe_forward(module, example_input) if example_input is not None else {}
    roles: dict[str, Role] = {}
    for prefix, owner in module.named_modules():
        read = None
        for name, param in owner.named_parameters(recurse=False):
            qualified = f"{prefix}.{name}" if prefix else name
            if qualified in roles:
                continue
            if is_lazy(param):
                roles[qualified] = Role(Kind.UNKNOWN, source="lazy")
                continue
            role = _layer_role(owner, name, param) or (_shape_role(name, param) if param.numel() == 1 else None)
            role = role or observed.get(qualified)
            if role is None:
                read = read if read is not None else forward_usage(type(owner))
                role = _from_usage(read.get(name), param)
            roles[qualified] = role or _shape_role(name, param) or Role(Kind.UNKNOWN)
    return roles


# -- forward source ---------------------------------------------------------------------------

_MATMULS = {"matmul", "mm", "bmm"}
_ADDMATMULS = {"addmm", "baddbmm", "addbmm"}
_CONVOLUTIONS = {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}
_NORM_FUNCTIONS = {"layer_norm": 2, "group_norm": 2, "rms_norm": 2, "batch_norm": 3, "instance_norm": 3}
_PASSTHROUGH = {"to", "view", "reshape", "contiguous", "float", "half", "bfloat16", "type_as", "unsqueeze", "squeeze"}
_TRANSPOSES = {"t", "transpose", "T", "mT"}
_TOKEN_METHODS = {"expand", "repeat", "expand_as"}


# A use in ``forward`` that is no role by itself: added to activations (a table when broad, else a bias).
ADDED = "added"


@dataclass(frozen=True)
class Usage:
    """How ``forward`` uses one attribute: the kind of use and, for matrix products, the contracted side."""

    kind: Kind | str  # a Kind, or ADDED
    contracted: str = ""  # "last", "second_last", "conv", or an einsum letter set "ijk:ij"


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _einsum_usage(call: ast.Call, index: int) -> Usage | None:
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return None
    equation = call.args[0].value.replace(" ", "")
    if "->" not in equation or "." in equation:
        return None
    inputs, output = equation.split("->")
    operands = inputs.split(",")
    if index - 1 >= len(operands):
        return None
    mine = operands[index - 1]
    others = "".join(op for i, op in enumerate(operands) if i != index - 1)
    contracted = "".join(letter for letter in mine if letter in others and letter not in output)
    return Usage(Kind.WEIGHT, f"{mine}:{contracted}") if contracted else None


def _classify(parent: ast.AST, child: ast.AST, transposed: bool) -> Usage | None:
    if isinstance(parent, ast.BinOp):
        if isinstance(parent.op, ast.MatMult):
            left = parent.left is child
            return Usage(Kind.WEIGHT, "last" if left != transposed else "second_last")
        if isinstance(parent.op, (ast.Add, ast.Sub)):
            return Usage(ADDED)
        if isinstance(parent.op, (ast.Mult, ast.Div)):
            return Usage(Kind.GAIN)
        return None
    if isinstance(parent, ast.Subscript) and parent.value is child:
        return Usage(Kind.EMBEDDING)
    if isinstance(parent, (ast.List, ast.Tuple)):
        return None
    if not isinstance(parent, ast.Call):
        return None
    name = _callee(parent)
    keyword = next((kw.arg for kw in parent.keywords if kw.value is child), None)
    index = next((i for i, arg in enumerate(parent.args) if arg is child), None)
    if name == "linear":
        if index == 1 or keyword == "weight":
            return Usage(Kind.WEIGHT, "second_last" if transposed else "last")
        return Usage(Kind.BIAS) if index == 2 or keyword == "bias" else None
    if name in _MATMULS or name in _ADDMATMULS:
        first = 1 if name in _ADDMATMULS else 0
        if index == first:
            return Usage(Kind.WEIGHT, "last" if not transposed else "second_last")
        if index == first + 1:
            return Usage(Kind.WEIGHT, "second_last" if not transposed else "last")
        return Usage(Kind.BIAS) if index == 0 else None
    if name == "einsum" and index:
        return _einsum_usage(parent, index)
    if name in _CONVOLUTIONS:
        if index == 1 or keyword == "weight":
            return Usage(Kind.WEIGHT, "conv")
        return Usage(Kind.BIAS) if index == 2 or keyword == "bias" else None
    if name in ("embedding", "embedding_bag") and (index == 1 or keyword == "weight"):
        return Usage(Kind.EMBEDDING)
    if name in _NORM_FUNCTIONS:
        gain_at = _NORM_FUNCTIONS[name]
        if index == gain_at or keyword == "weight":
            return Usage(Kind.GAIN)
        return Usage(Kind.BIAS) if index == gain_at + 1 or keyword == "bias" else None
    if name in ("mul", "multiply"):
        return Usage(Kind.GAIN)
    if name == "add":
        return Usage(ADDED)
    return None


def _class_forward_tree(cls: type) -> ast.AST | None:
    forward = getattr(cls, "forward", None)
    if forward is None or forward is nn.Module.forward:
        return None
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(forward)))
    except (OSError, TypeError, SyntaxError):
        return None


@lru_cache(maxsize=None)
def forward_usage(cls: type) -> dict[str, Usage]:
    """How ``cls.forward`` uses each ``self.<name>``, following simple local aliases and views."""
    tree = _class_forward_tree(cls)
    if tree is None:
        return {}
    function = tree.body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.args.args:
        return {}
    receiver = function.args.args[0].arg  # "self", whatever it is called
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            attribute = _self_attribute(node.value, receiver)
            if attribute:
                aliases[node.targets[0].id] = attribute
    usages: dict[str, Usage] = {}
    for node in ast.walk(tree):
        attribute = _self_attribute(node, receiver, direct=True) or (
            aliases.get(node.id) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) else None
        )
        if attribute is None or attribute in usages:
            continue
        usage = _climb(node, parents)
        if usage is not None:
            usages[attribute] = usage
    return usages


def _self_attribute(node: ast.AST, receiver: str, direct: bool = False) -> str | None:
    """``self.x`` (or, unless ``direct``, ``self.x.t()``-style views of it) -> ``"x"``."""
    while not direct and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == receiver:
        return node.attr
    return None


def _climb(node: ast.AST, parents: dict) -> Usage | None:
    transposed = False
    while True:
        parent = parents.get(node)
        if parent is None:
            return None
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = parents.get(parent)
            method = parent.attr
            if method in ("T", "mT"):
                transposed, node = not transposed, parent
                continue
            if not (isinstance(call, ast.Call) and call.func is parent):
                return None
            if method in _TOKEN_METHODS:
                return Usage(Kind.EMBEDDING)
            if method in _TRANSPOSES:
                transposed, node = not transposed, call
                continue
            if method in _PASSTHROUGH:
                node = call
                continue
            return None
        if isinstance(parent, (ast.List, ast.Tuple)) and isinstance(parents.get(parent), ast.Call):
            if _callee(parents[parent]) in ("cat", "concat", "stack"):
                return Usage(Kind.EMBEDDING)
        return _classify(parent, node, transposed)


def _from_usage(usage: Usage | None, param: torch.Tensor) -> Role | None:
    if usage is None:
        return None
    shape = param.shape
    broad = sum(size > 1 for size in shape) >= 2
    if usage.kind == Kind.WEIGHT:
        if len(shape) < 2:
            return None
        if usage.contracted == "last":
            return Role(Kind.WEIGHT, shape[-1], "forward: matrix product")
        if usage.contracted == "second_last":
            return Role(Kind.WEIGHT, shape[-2], "forward: matrix product", unit_dim=len(shape) - 1)
        if usage.contracted == "conv":
            return Role(Kind.WEIGHT, torch_fan_in(shape), "forward: convolution")
        letters, contracted = usage.contracted.split(":")
        if len(letters) != len(shape):
            return None
        return Role(Kind.WEIGHT, math.prod(shape[letters.index(c)] for c in contracted), "forward: einsum")
    if usage.kind == ADDED:
        return Role(Kind.EMBEDDING, source="forward: added") if broad else Role(Kind.BIAS, source="forward: added")
    if usage.kind == Kind.GAIN:
        return Role(Kind.GATE, source="forward: scales") if param.numel() == 1 else (
            Role(Kind.GAIN, source="forward: scales") if not broad else None
        )
    return Role(usage.kind, source="forward")


# -- watched forward pass ---------------------------------------------------------------------

aten = torch.ops.aten
_CONTRACTIONS = {aten.mm.default: (0, 1), aten.bmm.default: (0, 1), aten.addmm.default: (1, 2), aten.baddbmm.default: (1, 2)}


_LOOKUPS = {aten.embedding.default, aten.index.Tensor, aten.index_select.default, aten.select.int, aten.cat.default}


class _ForwardObserver(TorchDispatchMode):
    """Records which aten op first consumed each parameter's storage during a forward pass."""

    def __init__(self, storages: dict[int, str]) -> None:
        super().__init__()
        self.storages = storages
        self.roles: dict[str, Role] = {}

    def _name(self, value) -> str | None:
        if not isinstance(value, torch.Tensor) or value.device.type == "meta":
            return None
        name = self.storages.get(value.untyped_storage().data_ptr())
        return None if name is None or name in self.roles else name

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _CONTRACTIONS:
            first, second = _CONTRACTIONS[func]
            for position in (first, second):
                name = self._name(args[position])
                if name:
                    self.roles[name] = Role(Kind.WEIGHT, args[first].shape[-1], f"forward pass: {func.__name__}")
            if first == 1 and self._name(args[0]):
                self.roles[self._name(args[0])] = Role(Kind.BIAS, source="forward pass")
        elif func is aten.convolution.default:
            name = self._name(args[1])
            if name:
                self.roles[name] = Role(Kind.WEIGHT, torch_fan_in(args[1].shape), "forward pass: convolution")
            if len(args) > 2 and self._name(args[2]):
                self.roles[self._name(args[2])] = Role(Kind.BIAS, source="forward pass")
        elif func in _LOOKUPS:
            tensors = args[0] if func is aten.cat.default else args[:1]
            for tensor in tensors:
                name = self._name(tensor)
                if name:
                    self.roles[name] = Role(Kind.EMBEDDING, source=f"forward pass: {func.__name__}")
        elif func in (aten.add.Tensor, aten.mul.Tensor):
            for tensor in args[:2]:
                name = self._name(tensor)
                if name:
                    broad = sum(size > 1 for size in tensor.shape) >= 2
                    if func is aten.add.Tensor:
                        kind = Kind.EMBEDDING if broad else Kind.BIAS
                    else:
                        kind = None if broad else Kind.GAIN
                    if kind:
                        self.roles[name] = Role(kind, source=f"forward pass: {func.__name__}")
        return func(*args, **kwargs)


def observe_forward(module: nn.Module, example_input) -> dict[str, Role]:
    """Run one forward pass without grad and learn roles from the aten ops that read each parameter."""
    storages = {
        param.untyped_storage().data_ptr(): name
        for name, param in module.named_parameters()
        if param.device.type != "meta" and not is_lazy(param)
    }
    observer = _ForwardObserver(storages)
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    with torch.no_grad(), observer:
        if isinstance(example_input, dict):
            module(**example_input)
        else:
            module(*inputs)
    return observer.roles
