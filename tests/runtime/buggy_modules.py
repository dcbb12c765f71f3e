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


class ZeroMLP(nn.Module):
    """Both layers of an MLP zero-initialized: each gives the other a zero gradient, forever."""

    def __init__(self, dim=32, hidden=64):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        for layer in (self.fc1, self.fc2):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class ZeroLoRAPair(nn.Module):
    """A low-rank adapter whose down and up projections both start at zero (B·A stays 0)."""

    def __init__(self, dim=64, rank=4):
        super().__init__()
        self.base = nn.Linear(dim, dim)
        self.lora_down = nn.Parameter(torch.zeros(rank, dim))
        self.lora_up = nn.Parameter(torch.zeros(dim, rank))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_down.t()) @ self.lora_up.t()


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


class QueryFormer(nn.Module):
    """Learned queries that start at zero and reach attention with no position: they stay one query."""

    def __init__(self, dim=32, queries=16):
        super().__init__()
        self.query_tokens = nn.Parameter(torch.zeros(1, queries, dim))
        self.attention = nn.MultiheadAttention(dim, 4, batch_first=True)
        nn.init.xavier_uniform_(self.attention.in_proj_weight)

    def forward(self, image_features):
        queries = self.query_tokens.expand(image_features.shape[0], -1, -1)
        return self.attention(queries, image_features, image_features)[0]


class PerceiverLatents(nn.Module):
    """Perceiver-resampler latents set to ones: every latent the same query."""

    def __init__(self, dim=32, latents=8):
        super().__init__()
        self.latents = nn.Parameter(torch.ones(latents, dim))
        self.cross = nn.MultiheadAttention(dim, 4, batch_first=True)

    def forward(self, context):
        latents = self.latents.unsqueeze(0).expand((context.shape[0], *self.latents.size()))
        return self.cross(latents, context, context)[0]


class RegistersAfterPositions(nn.Module):
    """Register tokens concatenated after the position embedding is added: identical and unplaced."""

    def __init__(self, dim=32, patches=16, registers=4):
        super().__init__()
        self.patch = nn.Linear(48, dim)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.position_embeddings = nn.Parameter(torch.randn(1, patches + 1, dim) * 0.02)
        self.register_tokens = nn.Parameter(torch.zeros(1, registers, dim))

    def forward(self, patches):
        x = self.patch(patches)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + self.position_embeddings
        return torch.cat([x[:, :1], self.register_tokens.expand(x.shape[0], -1, -1), x[:, 1:]], dim=1)


class RepeatedRegisters(nn.Module):
    """Registers made from one random vector repeated: random, but all the same token."""

    def __init__(self, dim=32, registers=4):
        super().__init__()
        self.registers = nn.Parameter(torch.randn(1, 1, dim).mul(0.02).repeat(1, registers, 1))

    def forward(self, x):
        return torch.cat([self.registers.expand(x.shape[0], -1, -1), x], dim=1)


class FrozenPositionTable(nn.Module):
    """A frozen sin-cos table whose filling method is never called: zeros for good."""

    def __init__(self, dim=32, length=17):
        super().__init__()
        self.position_embeddings = nn.Parameter(torch.zeros(1, length, dim), requires_grad=False)

    def fill_sincos(self):  # meant to run in __init__
        position = torch.arange(self.position_embeddings.shape[1]).unsqueeze(1)
        frequency = torch.exp(torch.arange(0, self.position_embeddings.shape[2], 2) * (-math.log(1e4) / 32))
        self.position_embeddings.data[0, :, 0::2] = torch.sin(position * frequency)
        self.position_embeddings.data[0, :, 1::2] = torch.cos(position * frequency)

    def forward(self, x):
        return x + self.position_embeddings


class RawRotaryBuffer(nn.Module):
    """A rotary frequency buffer allocated and meant to be filled later, never filled."""

    def __init__(self, dim=32):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.register_buffer("inv_freq", torch.empty(dim // 2), persistent=False)


class PaddedRawBias(nn.Module):
    """Weight tying that pads a never-initialized output bias to the vocabulary (F.pad of raw memory)."""

    def __init__(self, vocab=48, dim=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab - 8, bias=False)
        self.head.weight = self.embed.weight
        raw = torch.empty(vocab - 8)
        self.head.bias = nn.Parameter(F.pad(raw, (0, 8), "constant", 0))


class TinyInitializerRange(nn.Module):
    """A tower initialized from a config default of 1e-10: the signal is gone at the first layer."""

    def __init__(self, dim=64, initializer_range=1e-10):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        for layer in (self.fc1, self.fc2):
            layer.weight.data.normal_(mean=0.0, std=initializer_range)
            layer.bias.data.zero_()

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


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
    Case(ZeroMLP, "constant", "fc2.weight"),
    Case(ZeroLoRAPair, "constant", "lora_up"),
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
    Case(QueryFormer, "constant", "query_tokens"),
    Case(PerceiverLatents, "constant", "latents"),
    Case(RegistersAfterPositions, "constant", "register_tokens"),
    Case(RepeatedRegisters, "duplicate-units", "registers"),
    Case(FrozenPositionTable, "constant", "position_embeddings"),
    Case(PaddedRawBias, "uninitialized", "head.bias"),
    Case(TinyInitializerRange, "scale", "fc1.weight"),
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
    Case(RawRotaryBuffer, "uninitialized", "inv_freq"),
]
