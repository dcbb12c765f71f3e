"""Shrink a model's configuration (a plain dict, nested for sub-configs) to a tiny one that still builds.

Zoo models are built from config with no weights, so their size is only what the config says; a
default config describes the released model (7 B parameters for a Llama).  The shrinker keeps the
structure (every sub-config, stage, expert and layer type stays) and makes the numbers small, in
levels from most to least aggressive, because configs carry constraints a generic rule cannot see
(``hidden_size % num_heads``, ``sum(mrope_section) == head_dim // 2``, a stage list per depth):

* ``tiny``: width 32, 2 heads of 16, feed-forward 64, 2 layers, one block per stage, 4 experts;
* ``head-dim``: every head keeps its original size, 2 heads, 2 layers;
* ``layers``: only layer, stage-depth, expert and vocabulary counts shrink;
* ``default``: the config as released (the caller bounds its size).

Token ids stay valid: every vocabulary is at least one more than the largest id anywhere in the tree.
"""

from __future__ import annotations

import re
from typing import Any

LEVELS = ("tiny", "head-dim", "layers", "default")

WIDTH = 32
HEADS = 2
FFN = 64
LAYERS = 2
VOCAB = 99
EXPERTS = 4

_WIDTH = re.compile(
    r"(\w+_)?(hidden_size|d_model|n_embd|n_embed|embed_dim|embedding_dim|embedding_size|model_dim|hidden_dim|"
    r"projection_dim|proj_dim|d_embed|word_embed_proj_dim|emb_dim|dim|width|latent_dim|hidden_channels)"
)
_FFN = re.compile(r"(\w+_)?(intermediate_size|ffn_dim|n_inner|mlp_dim|ffn_hidden_size|d_ff|d_inner|inner_dim|"
                  r"feed_forward_size|ff_dim|intermediate_dim|mlp_hidden_size)")
_HEADS = re.compile(r"(\w+_)?(attention_heads|n_head|n_heads|num_heads|heads|num_attention_heads)")
_KV_HEADS = re.compile(r"(\w+_)?(kv_heads|key_value_heads|num_kv_heads|n_kv_heads|num_key_value_heads)")
_HEAD_DIM = re.compile(r"(\w+_)?(head_dim|kv_channels|d_kv|attention_head_size|head_size|qk_rope_head_dim|"
                       r"qk_nope_head_dim|v_head_dim|qk_head_dim|head_width)")
_LORA_RANK = re.compile(r"\w+_lora_rank")
_LAYERS = re.compile(r"(\w+_)?(num_hidden_layers|num_layers|n_layers?|layers|num_blocks|depth|n_layer)")
_VOCAB = re.compile(r"(\w+_)?vocab_size")
_EXPERTS = re.compile(r"(num_experts|num_local_experts|n_routed_experts|moe_num_experts|num_routed_experts)")
_PER_TOKEN = re.compile(r"(num_experts_per_tok|num_experts_per_token|moe_topk|top_k|num_selected_experts)")
_SHARED = re.compile(r"(n_shared_experts|num_shared_experts|moe_num_shared_experts)")
_STAGE_WIDTHS = re.compile(r"(hidden_sizes|embed_dims|dims|widths|channels|neck_hidden_sizes|block_out_channels|"
                           r"stage_channels|embed_dim|hidden_size)")
_STAGE_DEPTHS = re.compile(r"(depths|layers|num_layers|stage_depths|blocks|block_depths|num_blocks)")
_STAGE_HEADS = re.compile(r"(num_heads|heads|num_attention_heads)")
_GROUPS = re.compile(r"(\w+_)?(norm_num_groups|num_groups|resnet_groups|groups)")
_IDS = re.compile(r"\w*(_token_id|_token_index|_id)")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(_is_int(v) for v in value)


def _is_subconfig(key: str, value: Any) -> bool:
    return isinstance(value, dict) and ("model_type" in value or key.endswith(("_config", "_cfg")))


def largest_token_id(config: dict[str, Any]) -> int:
    """The largest token id anywhere in the tree (so every vocabulary can hold it)."""
    found = -1
    for key, value in config.items():
        if not isinstance(key, str):
            continue
        if _IDS.fullmatch(key) and _is_int(value):
            found = max(found, value)
        elif _IDS.fullmatch(key) and _int_list(value):
            found = max(found, *value)
        elif isinstance(value, dict):
            found = max(found, largest_token_id(value))
    return found


def shrink(config: dict[str, Any], level: str) -> dict[str, Any]:
    """A copy of ``config`` made small at ``level`` (one of :data:`LEVELS`)."""
    if level == "default":
        return dict(config)
    return _shrink(config, level, max(VOCAB, largest_token_id(config) + 1))


def _original_head_dim(config: dict[str, Any]) -> int | None:
    config = {k: v for k, v in config.items() if isinstance(k, str)}
    for key, value in config.items():
        if _HEAD_DIM.fullmatch(key) and _is_int(value) and value > 0:
            return value
    width = next((v for k, v in config.items() if _WIDTH.fullmatch(k) and _is_int(v)), None)
    heads = next((v for k, v in config.items() if _HEADS.fullmatch(k) and _is_int(v) and v > 0), None)
    return width // heads if width and heads and width % heads == 0 else None


def _shrink(config: dict[str, Any], level: str, vocab: int) -> dict[str, Any]:
    head_dim = _original_head_dim(config) or 16
    if level == "tiny":
        width, head_dim = WIDTH, WIDTH // HEADS
    elif level == "head-dim":
        width = HEADS * head_dim
    else:
        width = None  # widths unchanged
    layers_before = next((v for k, v in config.items() if isinstance(k, str) and _LAYERS.fullmatch(k) and _is_int(v)),
                         None)
    out: dict[str, Any] = {}
    for key, value in config.items():
        out[key] = _shrink_value(key, value, level, vocab, width, head_dim) if isinstance(key, str) else value
    if layers_before and layers_before > LAYERS:
        for key, value in config.items():  # per-layer lists follow the layer count (layer_types & co.)
            if (isinstance(key, str) and isinstance(value, list) and len(value) == layers_before
                    and not _STAGE_DEPTHS.fullmatch(key)):
                out[key] = value[:LAYERS]
    return out


def _shrink_value(key: str, value: Any, level: str, vocab: int, width: int | None, head_dim: int) -> Any:
    if _is_subconfig(key, value):
        return _shrink(value, level, vocab)
    if isinstance(value, dict) and "mrope_section" in value and width is not None:
        return {**value, "mrope_section": _scaled_to_sum(value["mrope_section"], head_dim // 2)}
    if _int_list(value):
        return _shrink_list(key, list(value), level, width) if not _IDS.fullmatch(key) else value
    if not _is_int(value) or value <= 0 or _IDS.fullmatch(key):
        return value
    if _VOCAB.fullmatch(key):
        return min(value, vocab) if value > vocab else value
    if _LAYERS.fullmatch(key):
        return min(value, LAYERS)
    if _EXPERTS.fullmatch(key):
        return min(value, EXPERTS)
    if _PER_TOKEN.fullmatch(key):
        return min(value, 2)
    if _SHARED.fullmatch(key):
        return min(value, 1)
    if key == "first_k_dense_replace":
        return min(value, 1)
    if width is None:
        return value
    if _KV_HEADS.fullmatch(key):
        return min(value, HEADS)
    if _HEADS.fullmatch(key):
        return min(value, HEADS)
    if _GROUPS.fullmatch(key) and level == "tiny":
        return min(value, 8)
    if _HEAD_DIM.fullmatch(key):
        return min(value, head_dim)
    if _LORA_RANK.fullmatch(key):
        return min(value, 16)
    if _FFN.fullmatch(key):
        return min(value, 2 * width if level == "head-dim" else FFN)
    if _WIDTH.fullmatch(key):
        return min(value, width)
    return value


def _shrink_list(key: str, values: list[int], level: str, width: int | None) -> list[int]:
    if _STAGE_DEPTHS.fullmatch(key):
        return [min(v, 1) for v in values]
    if width is None or level != "tiny":
        return values
    if _STAGE_WIDTHS.fullmatch(key):
        # keep the growth from stage to stage, starting at 16
        first = values[0] or 1
        return [max(8, min(v, 16 * max(1, round(v / first)))) for v in values]
    if _STAGE_HEADS.fullmatch(key):
        return [min(v, 2 ** index) for index, v in enumerate(values)]
    return values


def _scaled_to_sum(section: list[int], total: int) -> list[int]:
    """``section`` scaled to add up to ``total`` (rotary sections must cover half the head)."""
    if not _int_list(section) or total <= 0:
        return section
    scaled = [max(1, v * total // sum(section)) for v in section]
    scaled[-1] += total - sum(scaled)
    return scaled
