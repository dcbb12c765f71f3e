"""Small buggy modules, each with the one finding (check id, parameter) the checker must report."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


class LegacyTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(16, 8))

    def forward(self, x):
        return F.linear(x, self.weight)


class LegacyFloatTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.FloatTensor(16, 8))


class InitInUncalledMethod(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(32, 16))

    def init_weights(self):
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        return x @ self.weight.t()


class HalfInitialized(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(32, 16))
        nn.init.normal_(self.weight[:16], std=0.02)


class NewFromExisting(nn.Module):
    def __init__(self):
        super().__init__()
        template = torch.zeros(2)
        self.weight = nn.Parameter(template.new(8, 8))


class EmptyLikeBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8, bias=False)
        self.bias = nn.Parameter(torch.empty_like(self.linear.weight[0]))


class CastOfRawMemory(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(8, 8).double())


class ZerosWeight(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(32, 16))

    def forward(self, x):
        return F.linear(x, self.weight)


class OnesWeight(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(16, 32)
        nn.init.ones_(self.proj.weight)


class UnscaledRandn(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(64, 1024))

    def forward(self, x):
        return F.linear(x, self.weight)


class HundredTimesStd(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(256, 64)
        with torch.no_grad():
            self.proj.weight.mul_(100)


class LogOfZero(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.zeros(16).log())


class ZeroOverZero(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(8, 8))
        nn.init.normal_(self.weight, std=0.1)
        self.weight.data[0, 0] = 0.0 / 1.0 * math.nan


class DuplicatedRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, 32).mul(0.1).repeat(16, 1))

    def forward(self, x):
        return F.linear(x, self.weight)


class SomeRowsCopied(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(32, 16)
        with torch.no_grad():
            self.proj.weight[8:] = self.proj.weight[:8]


class HugeValues(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(torch.randn(16, 16) * 1e6)


class SubnormalValues(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(torch.randn(8, 8) * 1e-40)


class ConvUnscaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.kernel = nn.Parameter(torch.randn(32, 64, 3, 3))

    def forward(self, x):
        return F.conv2d(x, self.kernel)


class EmbeddingTooLarge(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(torch.randn(100, 16) * 100)

    def forward(self, ids):
        return F.embedding(ids, self.table)


class BiasTooLarge(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(16, 16) / 4)
        self.bias = nn.Parameter(torch.randn(16) * 1000)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class EinsumUnscaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.Parameter(torch.randn(4, 256, 64))

    def forward(self, x):
        return torch.einsum("bnd,hde->bhne", x, self.heads)


class RightOperandUnscaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(512, 64))

    def forward(self, x):
        return x @ self.w


class NoResetParameters(nn.Module):
    """Fine when built normally; under meta + to_empty + reset_parameters nothing initializes it."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(16, 16) / 4)
        self.inner = nn.Linear(16, 16)


class IncompleteReset(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(16, 16))
        self.bias = nn.Parameter(torch.zeros(16))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))


# -- unregistered learnable state (issue 7) ---------------------------------------------------------


class ListOfLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.towers = [nn.Linear(8, 8) for _ in range(3)]


class DictOfHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = {"cls": nn.Linear(8, 2), "reg": nn.Linear(8, 1)}


class TupleOfParameters(nn.Module):
    def __init__(self):
        super().__init__()
        self.scales = (nn.Parameter(torch.ones(8)), nn.Parameter(torch.ones(8)))


class NestedStages(nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = {"low": [nn.Linear(8, 8)], "high": [nn.Linear(8, 8)]}


class PlainGradTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.temperature = torch.ones(1, requires_grad=True)
        self.lookup = torch.arange(8)  # a plain tensor without grad: a note only


class SetOfExperts(nn.Module):
    def __init__(self):
        super().__init__()
        self.experts = {nn.Linear(4, 4)}


class ListOfParameters(nn.Module):
    def __init__(self):
        super().__init__()
        self.gains = [nn.Parameter(torch.ones(8)) for _ in range(2)]


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.towers = [nn.Linear(8, 8)]
        self.scale = torch.full((8,), 0.5, requires_grad=True)


class WithUnregisteredEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.out = nn.Linear(8, 2)


@dataclass(frozen=True)
class Case:
    module: type
    check: str
    name: str
    deferred: bool = False

    @property
    def id(self) -> str:
        return f"{self.module.__name__}-{self.check}" + ("-deferred" if self.deferred else "")


BUGS = [
    Case(LegacyTensor, "uninitialized", "weight"),
    Case(LegacyFloatTensor, "uninitialized", "weight"),
    Case(InitInUncalledMethod, "uninitialized", "weight"),
    Case(HalfInitialized, "uninitialized", "weight"),
    Case(NewFromExisting, "uninitialized", "weight"),
    Case(EmptyLikeBias, "uninitialized", "bias"),
    Case(CastOfRawMemory, "uninitialized", "weight"),
    Case(ZerosWeight, "constant", "weight"),
    Case(OnesWeight, "constant", "proj.weight"),
    Case(UnscaledRandn, "scale", "weight"),
    Case(HundredTimesStd, "scale", "proj.weight"),
    Case(LogOfZero, "non-finite", "scale"),
    Case(ZeroOverZero, "non-finite", "weight"),
    Case(DuplicatedRows, "duplicate-units", "weight"),
    Case(SomeRowsCopied, "duplicate-units", "proj.weight"),
    Case(HugeValues, "garbage", "table"),
    Case(SubnormalValues, "garbage", "table"),
    Case(ConvUnscaled, "scale", "kernel"),
    Case(EmbeddingTooLarge, "scale", "table"),
    Case(BiasTooLarge, "scale", "bias"),
    Case(EinsumUnscaled, "scale", "heads"),
    Case(RightOperandUnscaled, "scale", "w"),
    Case(NoResetParameters, "uninitialized", "weight", deferred=True),
    Case(IncompleteReset, "uninitialized", "bias", deferred=True),
]

UNREGISTERED = [
    Case(ListOfLayers, "unregistered-module", "towers"),
    Case(DictOfHeads, "unregistered-module", "heads"),
    Case(TupleOfParameters, "unregistered-module", "scales"),
    Case(NestedStages, "unregistered-module", "stages"),
    Case(PlainGradTensor, "unregistered-tensor", "temperature"),
    Case(SetOfExperts, "unregistered-module", "experts"),
    Case(ListOfParameters, "unregistered-module", "gains"),
    Case(WithUnregisteredEncoder, "unregistered-module", "encoder.towers"),
    Case(WithUnregisteredEncoder, "unregistered-tensor", "encoder.scale"),
]
