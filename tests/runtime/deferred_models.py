"""Realistic models for the meta-device path: each initializes fully when built eagerly, and some
leave tensors raw when built on meta, materialized with ``to_empty()`` and initialized."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils import parametrizations


class Block(nn.Module):
    """A nanoGPT-style block with learnable residual scalars (``lambdas``) and an attention gate."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.attn = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.gate = nn.Parameter(torch.zeros(width))


class GPT(nn.Module):
    """``init_weights()`` writes every Linear and the embeddings, and forgets the scalars and the gate."""

    def __init__(self, vocab: int = 64, width: int = 16, depth: int = 2) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.head = nn.Linear(width, vocab, bias=False)

    def init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        nn.init.normal_(self.wte.weight, std=0.02)


class CompleteGPT(GPT):
    """The same GPT whose ``init_weights()`` covers everything: silent on every path."""

    def init_weights(self) -> None:
        super().init_weights()
        for block in self.blocks:
            block.lambdas.data.copy_(torch.tensor([1.0, 0.0]))
            nn.init.zeros_(block.gate)


def rope_frequencies(head_dim: int, base: float = 10000.0) -> torch.Tensor:
    return 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)


class RotaryEmbedding(nn.Module):
    """Llama-style RoPE: ``inv_freq`` is computed in ``__init__`` and not persistent."""

    def __init__(self, head_dim: int) -> None:
        super().__init__()
        self.head_dim = head_dim
        self.register_buffer("inv_freq", rope_frequencies(head_dim), persistent=False)


class RecomputedRotaryEmbedding(RotaryEmbedding):
    """RoPE that recomputes its buffer in ``reset_parameters()``, as ``to_empty()`` requires."""

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.inv_freq.copy_(rope_frequencies(self.head_dim))


class LlamaBlock(nn.Module):
    def __init__(self, width: int = 16, heads: int = 2, rotary: type[nn.Module] = RotaryEmbedding) -> None:
        super().__init__()
        self.norm = nn.RMSNorm(width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.rotary = rotary(width // heads)
        self.register_buffer("causal", torch.tril(torch.ones(8, 8, dtype=torch.bool)))


class FixedLlamaBlock(LlamaBlock):
    def __init__(self, width: int = 16, heads: int = 2) -> None:
        super().__init__(width, heads, RecomputedRotaryEmbedding)

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.causal.copy_(torch.tril(torch.ones(8, 8, dtype=torch.bool)))


class HFStyleModel(nn.Module):
    """A Hugging Face-style ``_init_weights`` applied to every module; it misses ``logit_scale``."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.text = nn.Linear(width, width)
        self.image = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(0.0, 0.02)
            module.bias.data.zero_()
        elif isinstance(module, nn.LayerNorm):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()


class WeightNormConvs(nn.Module):
    """A vocoder-style stack of weight-normed convolutions."""

    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        self.convs = nn.ModuleList(parametrizations.weight_norm(nn.Conv1d(channels, channels, 3, padding=1))
                                   for _ in range(2))


class WeightNormConvsInit(WeightNormConvs):
    """Initializes the convolutions by assigning the parametrized weight, which reaches the originals."""

    def init_weights(self) -> None:
        for conv in self.convs:
            with torch.no_grad():
                conv.weight = torch.randn_like(conv.weight) * 0.1
                nn.init.zeros_(conv.bias)


class AttentionPool(nn.Module):
    """Pooling with ``nn.MultiheadAttention``, whose initializer is the private ``_reset_parameters``."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(width, 2)
        self.query = nn.Parameter(torch.randn(1, 1, width) * 0.02)

    def init_weights(self) -> None:
        """The workaround the report suggests: ``reset_parameters()`` everywhere, then the private reset."""
        for module in self.modules():
            if callable(getattr(module, "reset_parameters", None)):
                module.reset_parameters()
            if isinstance(module, nn.MultiheadAttention):
                module._reset_parameters()
        nn.init.normal_(self.query, std=0.02)


class AttentionPoolPrivateOnly(AttentionPool):
    """Calls only the private reset, which leaves ``out_proj.weight`` to ``Linear``'s constructor."""

    def init_weights(self) -> None:
        self.attn._reset_parameters()
        nn.init.normal_(self.query, std=0.02)
