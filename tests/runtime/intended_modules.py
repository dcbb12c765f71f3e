"""Modules whose odd-looking values are deliberate and trainable: each must give no finding.

Written after the shapes seen in real model zoos (``bench/zoo-judged.tsv``, the false-finding classes
of issue 13), not copied from them.  ``INTENDED`` maps each module to the note kinds its report must
list (an empty tuple: nothing worth a note).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


# -- deliberate zero-init weights ----------------------------------------------------------------


class LoRALinear(nn.Module):
    """Low-rank adapter: A random, B zero, so the adapted layer starts as the base layer."""

    def __init__(self, dim=64, rank=4):
        super().__init__()
        self.base = nn.Linear(dim, dim)
        self.lora_A = nn.ModuleDict({"default": nn.Linear(dim, rank, bias=False)})
        self.lora_B = nn.ModuleDict({"default": nn.Linear(rank, dim, bias=False)})
        self.dropout = nn.ModuleDict({"default": nn.Dropout(0.1)})
        nn.init.kaiming_uniform_(self.lora_A["default"].weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B["default"].weight)

    def forward(self, x, adapter="default"):
        lora_A, lora_B, dropout = self.lora_A[adapter], self.lora_B[adapter], self.dropout[adapter]
        return self.base(x) + lora_B(lora_A(dropout(x))) * 2.0


class ZeroHeadClassifier(nn.Module):
    """A classifier whose head starts at zero (uniform predictions at first)."""

    def __init__(self, dim=64, classes=10):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(32, dim), nn.GELU(), nn.LayerNorm(dim))
        self.head = nn.Linear(dim, classes)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(self.backbone(x))


class ZeroInitResidualBlock(nn.Module):
    """A residual branch whose last layer is zero, so the block starts as the identity."""

    def __init__(self, dim=32, hidden=128):
        super().__init__()
        self.branch = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.SiLU(), nn.Linear(hidden, dim))
        nn.init.zeros_(self.branch[-1].weight)
        nn.init.zeros_(self.branch[-1].bias)

    def forward(self, x):
        return x + self.branch(x)


class ZeroConvControl(nn.Module):
    """ControlNet-style side branch: a zero 1×1 convolution per resolution."""

    def __init__(self, channels=(16, 32, 64)):
        super().__init__()
        self.zero_convs = nn.ModuleList(nn.Conv2d(c, c, 1) for c in channels)
        for conv in self.zero_convs:
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, features):
        return [conv(feature) for conv, feature in zip(self.zero_convs, features)]


class DeformableSampling(nn.Module):
    """Deformable attention: offsets and attention weights zero, the sampling grid lives in the bias."""

    def __init__(self, dim=32, heads=2, points=4):
        super().__init__()
        self.sampling_offsets = nn.Linear(dim, heads * points * 2)
        self.attention_weights = nn.Linear(dim, heads * points)
        nn.init.constant_(self.sampling_offsets.weight, 0.0)
        angles = torch.arange(heads, dtype=torch.float32) * (2 * math.pi / heads)
        grid = torch.stack([angles.cos(), angles.sin()], -1).repeat(1, points)
        with torch.no_grad():
            self.sampling_offsets.bias.copy_(grid.flatten())
        nn.init.constant_(self.attention_weights.weight, 0.0)
        nn.init.constant_(self.attention_weights.bias, 0.0)

    def forward(self, query):
        return self.sampling_offsets(query), self.attention_weights(query).softmax(-1)


class AdaLNZero(nn.Module):
    """DiT-style adaLN-Zero: the modulation MLP's last layer is zero, so every block starts as identity."""

    def __init__(self, dim=32):
        super().__init__()
        self.modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 3 * dim))
        nn.init.zeros_(self.modulation[1].weight)
        nn.init.zeros_(self.modulation[1].bias)

    def forward(self, x, conditioning):
        shift, scale, gate = self.modulation(conditioning).chunk(3, dim=-1)
        return x + gate * (x * (1 + scale) + shift)


class ZeroRouter(nn.Module):
    """A mixture of experts whose router starts at zero: uniform routing, the experts differ."""

    def __init__(self, dim=32, experts=4):
        super().__init__()
        self.router = nn.Linear(dim, experts, bias=False)
        nn.init.zeros_(self.router.weight)
        self.experts = nn.ModuleList(nn.Linear(dim, dim) for _ in range(experts))

    def forward(self, x):
        weights = self.router(x).softmax(-1)
        return sum(weights[..., i : i + 1] * expert(x) for i, expert in enumerate(self.experts))


# -- additive and indexed tables, stacked biases, gates ----------------------------------------


class WindowAttentionBias(nn.Module):
    """Swin-style relative position bias: a zero table gathered by relative index, added to the logits."""

    def __init__(self, dim=32, heads=4, window=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")).flatten(1)
        relative = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window - 1)
        self.register_buffer("relative_index", relative[..., 0] * (2 * window - 1) + relative[..., 1])

    def _bias(self):
        bias = self.relative_position_bias_table[self.relative_index.view(-1)]
        return bias.view(self.relative_index.shape[0], self.relative_index.shape[1], -1).permute(2, 0, 1)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        logits = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        return (logits.unsqueeze(1) + self._bias()).softmax(-1)


class LevelEmbedding(nn.Module):
    """A per-level embedding added to multi-scale features, drawn with std 0 (all zero)."""

    def __init__(self, levels=3, dim=32):
        super().__init__()
        self.level_embed = nn.Parameter(torch.empty(levels, dim))
        nn.init.normal_(self.level_embed, std=0.0)

    def forward(self, features):
        return [feature + self.level_embed[level].view(1, -1, 1) for level, feature in enumerate(features)]


class ModulationTable(nn.Module):
    """A PixArt-style scale/shift table added to the timestep embedding (zeros here)."""

    def __init__(self, dim=32):
        super().__init__()
        self.scale_shift_table = nn.Parameter(torch.zeros(6, dim))

    def forward(self, x, temb):
        shift, scale, *_ = (self.scale_shift_table[None] + temb.reshape(-1, 6, x.shape[-1])).chunk(6, dim=1)
        return x * (1 + scale) + shift


class StackedExperts(nn.Module):
    """Expert weights stacked in one tensor, with per-expert biases (2-D) starting at zero."""

    def __init__(self, experts=4, dim=32, hidden=64):
        super().__init__()
        self.gate_up_proj = nn.Parameter(torch.randn(experts, dim, hidden) / math.sqrt(dim))
        self.gate_up_proj_bias = nn.Parameter(torch.zeros(experts, hidden))

    def forward(self, x):  # x: experts × tokens × dim
        return torch.bmm(x, self.gate_up_proj) + self.gate_up_proj_bias[..., None, :]


class HeadwiseGates(nn.Module):
    """Per-head gate biases (heads × width) used as the bias of a batched product."""

    def __init__(self, heads=2, width=16):
        super().__init__()
        self.gate_weight = nn.Parameter(torch.randn(heads, width, width) / math.sqrt(width))
        self.gate_bias = nn.Parameter(torch.zeros(heads, width))

    def forward(self, x):  # heads × tokens × width
        return torch.sigmoid(torch.baddbmm(self.gate_bias[:, None, :], x, self.gate_weight))


class SelectiveScan(nn.Module):
    """Mamba-style state space: A_log rows identical by construction (S4D-real), D a skip gain of ones."""

    def __init__(self, channels=32, state=8):
        super().__init__()
        A = torch.arange(1, state + 1, dtype=torch.float32).repeat(channels, 1)
        self.A_log = nn.Parameter(torch.log(A))
        self.D = nn.Parameter(torch.ones(2, channels))

    def forward(self, x, dt):
        A = -torch.exp(self.A_log.float())
        decay = torch.exp(A[None] * dt[..., None])
        return decay.sum(-1) * x + self.D[0] * x


class SigmoidResidualGate(nn.Module):
    """A residual gate per channel and branch, 1e-4 through a sigmoid."""

    def __init__(self, branches=2, channels=32):
        super().__init__()
        self.alpha = nn.Parameter(torch.empty(branches, channels))
        nn.init.constant_(self.alpha, 1e-4)
        self.mix = nn.Linear(channels, channels)

    def forward(self, x):
        return x + torch.sigmoid(self.alpha[0]) * self.mix(x)


class CayleyRotation(nn.Module):
    """An orthogonal fine-tuning block: a zero skew-symmetric generator, so the rotation starts as identity."""

    def __init__(self, blocks=2, size=4):
        super().__init__()
        self.size = size
        self.generator = nn.Parameter(torch.zeros(blocks, size * (size - 1) // 2))

    def _skew(self, vector):
        matrix = vector.new_zeros(vector.shape[0], self.size, self.size)
        rows, cols = torch.triu_indices(self.size, self.size, 1)
        matrix[:, rows, cols] = vector
        return matrix - matrix.transpose(-2, -1)

    def forward(self, x):
        skew = self._skew(self.generator)
        eye = torch.eye(self.size).expand_as(skew)
        rotation = torch.linalg.solve(eye + skew, eye - skew)
        return torch.einsum("bij,nbj->nbi", rotation, x)


# -- tokens that are told apart ----------------------------------------------------------------


class DetectionTokens(nn.Module):
    """Zero detection tokens concatenated before the position embedding is added: each gets its own."""

    def __init__(self, dim=32, patches=16, tokens=8):
        super().__init__()
        self.detection_tokens = nn.Parameter(torch.zeros(1, tokens, dim))
        self.position_embeddings = nn.Parameter(torch.randn(1, patches + tokens, dim) * 0.02)

    def forward(self, x):
        x = torch.cat([x, self.detection_tokens.expand(x.shape[0], -1, -1)], dim=1)
        return x + self.position_embeddings


class TokenMixer(nn.Module):
    """An MLP over the token axis (MLP-Mixer style): its weights treat each token index differently."""

    def __init__(self, tokens, hidden):
        super().__init__()
        self.fc1 = nn.Linear(tokens, hidden)
        self.fc2 = nn.Linear(hidden, tokens)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x.transpose(1, 2)))).transpose(1, 2)


class GroupingStage(nn.Module):
    """GroupViT-style grouping: zero group tokens, attended with the patches, then mixed across tokens."""

    def __init__(self, dim=32, groups=8):
        super().__init__()
        self.group_token = nn.Parameter(torch.zeros(1, groups, dim))
        self.attention = nn.TransformerEncoderLayer(dim, 4, 64, batch_first=True)
        self.assign = TokenMixer(groups, 16)

    def forward(self, x):
        tokens = torch.cat([x, self.group_token.expand(x.shape[0], -1, -1)], dim=1)
        tokens = self.attention(tokens)
        return self.assign(tokens[:, -self.group_token.shape[1]:])


class MaskTokenTable(nn.Module):
    """One mask token per mask kind, looked up by index (zero-initialized on purpose)."""

    def __init__(self, kinds=4, dim=32):
        super().__init__()
        self.mask_tokens = nn.Parameter(torch.zeros(kinds, 1, 1, dim))

    def forward(self, x, kind):
        return torch.where(torch.isnan(x), self.mask_tokens[kind], x)


# -- deliberate small and unusual scales ---------------------------------------------------------


class ScaledDownHead(nn.Module):
    """A head drawn with trunc-normal std 0.02 and then scaled by 1e-3 on purpose."""

    def __init__(self, dim=256, classes=100):
        super().__init__()
        self.head = nn.Linear(dim, classes)
        nn.init.trunc_normal_(self.head.weight, std=0.02)
        with torch.no_grad():
            self.head.weight.mul_(1e-3)

    def forward(self, x):
        return self.head(x)


class TinyRegisters(nn.Module):
    """Register tokens drawn with std 1e-6: tiny, random, distinct."""

    def __init__(self, dim=64, registers=4):
        super().__init__()
        self.reg_token = nn.Parameter(torch.zeros(1, registers, dim))
        nn.init.normal_(self.reg_token, std=1e-6)

    def forward(self, x):
        return torch.cat([self.reg_token.expand(x.shape[0], -1, -1), x], dim=1)


class RouterLogits(nn.Module):
    """Routing logits over skills: uniform(-1e-3, 1e-3), a near-uniform start that still differs per task."""

    def __init__(self, tasks=2, skills=4):
        super().__init__()
        self.module_logits = nn.Parameter(torch.empty(tasks, skills).uniform_(-1e-3, 1e-3))

    def forward(self, task):
        return self.module_logits[task].softmax(-1)


class SmallOrthogonalEmbedding(nn.Module):
    """An embedding drawn orthogonal with a small gain, followed by a LayerNorm (RWKV-style small init)."""

    def __init__(self, vocab=100, dim=32):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        nn.init.orthogonal_(self.embeddings.weight, gain=1e-4 * math.sqrt(max(vocab, dim)))
        self.ln0 = nn.LayerNorm(dim)

    def forward(self, ids):
        return self.ln0(self.embeddings(ids))


class GlobalQueryAttention(nn.Module):
    """Additive attention with a randn global query vector whose product is normalized (scale-invariant)."""

    def __init__(self, dim=512):
        super().__init__()
        self.to_query = nn.Linear(dim, dim)
        self.w_g = nn.Parameter(torch.randn(dim, 1))
        self.scale_factor = dim**-0.5

    def forward(self, x):
        query = F.normalize(self.to_query(x), dim=-1)
        weights = F.normalize(query @ self.w_g * self.scale_factor, dim=1)
        return torch.sum(weights * query, dim=1)


class SingletonSoftmaxQuery(nn.Module):
    """The same global query, its score passed through a softmax over its single output."""

    def __init__(self, dim=512):
        super().__init__()
        self.w_g = nn.Parameter(torch.randn(dim, 1))
        self.scale_factor = dim**-0.5

    def forward(self, query):
        query_weight = query @ self.w_g
        scaled = query_weight * self.scale_factor
        return scaled.softmax(dim=-1) * query


class SqueezeExcitation(nn.Module):
    """pycls-style init, normal(0, √(2/fan_out)) on every conv: the SE squeeze has fan_out ≪ fan_in."""

    def __init__(self, channels=512, squeezed=8):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        for conv in (self.fc1, self.fc2):
            fan_out = conv.kernel_size[0] * conv.kernel_size[1] * conv.out_channels
            nn.init.normal_(conv.weight, mean=0.0, std=math.sqrt(2.0 / fan_out))
            nn.init.zeros_(conv.bias)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True)))))


class UpsampleFromFewChannels(nn.Module):
    """A transposed convolution from 3 to 512 channels, He-initialized on its true fan-in (3·k²/stride²)."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 512, kernel_size=4, stride=2, padding=1)
        nn.init.normal_(self.up.weight, std=math.sqrt(2.0 / (3 * 4 * 4 / 4)))

    def forward(self, x):
        return self.up(x)


class NarrowProjection(nn.Module):
    """A projection from one feature to three, trunc-normal std 0.02: the std of 3 draws varies a lot."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(1, 3)
        nn.init.trunc_normal_(self.qkv.weight, std=0.02)
        with torch.no_grad():  # a draw as narrow as one in fifty: still this initializer
            self.qkv.weight.copy_(torch.tensor([[0.021], [0.0265], [0.0242]]))

    def forward(self, x):
        return self.qkv(x)


class NearestUpsampler(nn.Module):
    """A sub-pixel convolution initialized to nearest-neighbour upsampling: an identity repeated per phase."""

    def __init__(self, channels=16, factor=2):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels * factor, 3, padding=1)
        weight = torch.zeros_like(self.conv.weight)
        weight[:, :, 1] = torch.eye(channels).repeat_interleave(factor, dim=0)
        with torch.no_grad():
            self.conv.weight.copy_(weight)
            self.conv.bias.zero_()

    def forward(self, x):
        return self.conv(x)


class LegacyWeightNorm(nn.Module):
    """Convolutions under the hook-based torch.nn.utils.weight_norm: `weight` is a computed plain tensor."""

    def __init__(self, channels=16):
        super().__init__()
        self.conv1 = nn.utils.weight_norm(nn.Conv1d(channels, channels, 7, padding=3))
        self.conv2 = nn.utils.weight_norm(nn.ConvTranspose1d(channels, channels // 2, 4, stride=2, padding=1))

    def forward(self, x):
        return self.conv2(F.silu(self.conv1(x)))


INTENDED: dict[type, tuple[str, ...]] = {
    LoRALinear: ("zero weight",),
    ZeroHeadClassifier: ("zero weight",),
    ZeroInitResidualBlock: ("zero weight",),
    ZeroConvControl: ("zero weight",),
    DeformableSampling: ("zero weight",),
    AdaLNZero: ("zero weight",),
    ZeroRouter: ("zero weight",),
    WindowAttentionBias: ("constant table",),
    LevelEmbedding: ("constant table",),
    ModulationTable: ("constant table",),
    StackedExperts: (),
    HeadwiseGates: (),
    SelectiveScan: ("constant scale",),
    SigmoidResidualGate: ("constant scale",),
    CayleyRotation: ("constant, use not seen",),
    DetectionTokens: ("tokens told apart",),
    GroupingStage: ("tokens told apart",),
    MaskTokenTable: ("constant table",),
    ScaledDownHead: ("small on purpose",),
    TinyRegisters: ("small on purpose",),
    RouterLogits: ("small on purpose",),
    SmallOrthogonalEmbedding: ("small on purpose",),
    GlobalQueryAttention: ("scale-invariant",),
    SingletonSoftmaxQuery: ("scale-invariant",),
    SqueezeExcitation: (),
    UpsampleFromFewChannels: (),
    NarrowProjection: (),
    NearestUpsampler: ("structured units",),
    LegacyWeightNorm: (),
}
