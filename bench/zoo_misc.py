"""Smaller zoos: torch_geometric convolutions, open_clip models, segmentation_models_pytorch
architectures and x_transformers variants.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

from torch import nn

from zoo_models import Factory, Unbuildable, first_level_that_builds
from zoo_shrink import shrink

# ------------------------------------------------------------------------------ torch_geometric

CHANNELS = 16
_SKIPPED_CONVS = {"MessagePassing": "abstract base class", "HeteroConv": "a container of other convolutions"}


def _mlp(width_in: int = CHANNELS, width_out: int = CHANNELS) -> nn.Module:
    return nn.Sequential(nn.Linear(width_in, CHANNELS), nn.ReLU(), nn.Linear(CHANNELS, width_out))


def _pyg_argument(conv: str, name: str) -> Any:
    """A value for a required constructor argument, by its name (None: not known)."""
    import torch
    from torch_geometric.nn import GCNConv

    values = {
        "in_channels": CHANNELS, "out_channels": CHANNELS, "channels": CHANNELS, "hidden_channels": CHANNELS,
        "K": 2, "k": 4, "alpha": 0.1, "num_layers": 2, "num_relations": 3, "dim": 2, "kernel_size": 3,
        "space_dimensions": 4, "propagate_dimensions": 8, "first_aggr": True, "filter_size": 2, "edge_dim": 4,
        "num_node_types": 2, "num_edge_types": 2, "edge_type_emb_dim": 4, "edge_attr_emb_dim": 4,
        "aggregators": ["mean", "max"], "scalers": ["identity", "amplification"], "deg": torch.tensor([0, 3, 5, 2]),
        "metadata": (["paper", "author"], [("author", "writes", "paper"), ("paper", "rev_writes", "author")]),
        "conv": GCNConv(CHANNELS, CHANNELS),
    }
    if name == "nn":
        # NNConv's network maps edge features to an in x out weight; EdgeConv's sees [x_i, x_j - x_i]
        return {"NNConv": _mlp(4, CHANNELS * CHANNELS)}.get(conv, _mlp(2 * CHANNELS if "Edge" in conv else CHANNELS))
    if name in ("mlp_h", "mlp_f", "mlp_g"):
        return {"mlp_h": _mlp(CHANNELS, 3), "mlp_f": _mlp(CHANNELS + 3), "mlp_g": _mlp()}[name]
    return values.get(name)


def pyg_models() -> list[str]:
    import torch_geometric.nn.conv as convs

    return sorted(convs.__all__)


def pyg_prepare(name: str) -> tuple[Factory, dict]:
    import torch_geometric.nn.conv as convs

    if name in _SKIPPED_CONVS:
        raise Unbuildable(_SKIPPED_CONVS[name])
    conv = getattr(convs, name)
    kwargs = {}
    for parameter in list(inspect.signature(conv.__init__).parameters.values())[1:]:
        if parameter.default is inspect.Parameter.empty and parameter.kind not in (parameter.VAR_POSITIONAL,
                                                                                   parameter.VAR_KEYWORD):
            value = _pyg_argument(name, parameter.name)
            if value is None:
                raise Unbuildable(f"no value known for required argument {parameter.name!r}")
            kwargs[parameter.name] = value
    return (lambda: conv(**copy.deepcopy(kwargs))), {"kwargs": sorted(kwargs)}


# ------------------------------------------------------------------------------ open_clip


def open_clip_models() -> list[str]:
    import open_clip

    return sorted(open_clip.list_models())


def open_clip_prepare(name: str) -> tuple[Factory, dict]:
    """``open_clip.create_model`` with no weights and the towers' configs shrunk (given as overrides)."""
    import open_clip

    config = open_clip.get_model_config(name)
    if "hf_model_name" in config.get("text_cfg", {}):
        raise Unbuildable("text tower is a Hugging Face hub model (its config is fetched from the hub)")

    def attempt(level: str) -> Factory:
        small = shrink(config, level)
        towers = ("embed_dim", "vision_cfg", "text_cfg", "multimodal_cfg")
        overrides = {key: small[key] for key in towers if key in small}
        overrides["vision_cfg"] = {**overrides["vision_cfg"], "timm_model_pretrained": False}
        if level in ("tiny", "head-dim") and "head_width" not in config["vision_cfg"]:
            # open_clip's vision heads are width // head_width (64 unless the config says): keep 2 heads
            overrides["vision_cfg"]["head_width"] = overrides["vision_cfg"].get("width", 32) // 2
        return lambda: open_clip.create_model(name, pretrained=None, load_weights=False, pretrained_image=False,
                                              pretrained_text=False, **copy.deepcopy(overrides))

    # a timm vision tower is not shrunk: its size must be known before it is built
    timm_tower = "timm_model_name" in config.get("vision_cfg", {})
    return first_level_that_builds(attempt, name, size_known=timm_tower)


# ------------------------------------------------------------------------------ segmentation_models_pytorch

SMP_ENCODERS = {"DPT": "tu-vit_tiny_patch16_224", "Segformer": "mit_b0"}


def smp_models() -> list[str]:
    import segmentation_models_pytorch as smp

    return sorted(smp.MODEL_ARCHITECTURES_MAPPING) if hasattr(smp, "MODEL_ARCHITECTURES_MAPPING") else []


def smp_prepare(name: str) -> tuple[Factory, dict]:
    import segmentation_models_pytorch as smp

    architecture = smp.MODEL_ARCHITECTURES_MAPPING[name]
    encoder = SMP_ENCODERS.get(architecture.__name__, "resnet18")
    return (lambda: architecture(encoder_name=encoder, encoder_weights=None, classes=3)), {"encoder": encoder}


# ------------------------------------------------------------------------------ x_transformers

_LAYERS = {"dim": 32, "depth": 2, "heads": 2, "attn_dim_head": 16}
# each variant is (wrapper, attention layers, the layers' options); options are x_transformers' own flags
X_VARIANTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "decoder": ("TransformerWrapper", "Decoder", {}),
    "encoder": ("TransformerWrapper", "Encoder", {}),
    "decoder-rotary": ("TransformerWrapper", "Decoder", {"rotary_pos_emb": True}),
    "decoder-alibi": ("TransformerWrapper", "Decoder", {"alibi_pos_bias": True}),
    "decoder-rel-pos-bias": ("TransformerWrapper", "Decoder", {"rel_pos_bias": True}),
    "decoder-dynamic-pos-bias": ("TransformerWrapper", "Decoder", {"dynamic_pos_bias": True}),
    "decoder-glu-macaron": ("TransformerWrapper", "Decoder", {"ff_glu": True, "macaron": True}),
    "decoder-memory-kv": ("TransformerWrapper", "Decoder", {"attn_num_mem_kv": 4}),
    "decoder-memory-tokens": ("TransformerWrapper", "Decoder", {"__wrapper__num_memory_tokens": 4}),
    "decoder-residual-gates": ("TransformerWrapper", "Decoder", {"gate_residual": True}),
    "decoder-sandwich-norm": ("TransformerWrapper", "Decoder", {"sandwich_norm": True}),
    "decoder-rmsnorm": ("TransformerWrapper", "Decoder", {"use_rmsnorm": True}),
    "decoder-talking-heads": ("TransformerWrapper", "Decoder", {"attn_pre_talking_heads": True,
                                                                "attn_post_talking_heads": True}),
    "decoder-gate-values": ("TransformerWrapper", "Decoder", {"attn_gate_values": True}),
    "decoder-qk-norm": ("TransformerWrapper", "Decoder", {"attn_qk_norm": True}),
    "decoder-hyper-connections": ("TransformerWrapper", "Decoder", {"num_residual_streams": 2}),
    "decoder-value-residual": ("TransformerWrapper", "Decoder", {"add_value_residual": True}),
    "decoder-scale-residual": ("TransformerWrapper", "Decoder", {"scale_residual": True}),
    "cross-attender": ("ContinuousTransformerWrapper", "CrossAttender", {}),
    "continuous-encoder": ("ContinuousTransformerWrapper", "Encoder", {}),
    "vit": ("ViTransformerWrapper", "Encoder", {}),
    "xtransformer": ("XTransformer", "", {}),
}


def x_transformers_models() -> list[str]:
    return sorted(X_VARIANTS)


def x_transformers_prepare(name: str) -> tuple[Factory, dict]:
    import x_transformers

    wrapper_name, layers_name, options = X_VARIANTS[name]
    wrapper = getattr(x_transformers, wrapper_name)
    wrapper_options = {k.removeprefix("__wrapper__"): v for k, v in options.items() if k.startswith("__wrapper__")}
    layer_options = {k: v for k, v in options.items() if not k.startswith("__wrapper__")}
    if wrapper_name == "XTransformer":
        def factory():
            return wrapper(dim=32, enc_num_tokens=99, enc_depth=2, enc_heads=2, enc_max_seq_len=64,
                           dec_num_tokens=99, dec_depth=2, dec_heads=2, dec_max_seq_len=64)
    else:
        layers = getattr(x_transformers, layers_name)
        if wrapper_name == "ViTransformerWrapper":
            common = {"image_size": 32, "patch_size": 8}
        elif wrapper_name == "ContinuousTransformerWrapper":
            common = {"dim_in": 8, "dim_out": 8, "max_seq_len": 64}
        else:
            common = {"num_tokens": 99, "max_seq_len": 64}

        def factory():
            return wrapper(**common, **wrapper_options, attn_layers=layers(**_LAYERS, **layer_options))
    return factory, {"options": sorted(options)}
