"""Hugging Face zoos: every transformers model type, every diffusers model class, every peft method.

transformers and diffusers models are built from a shrunk copy of their default config
(``zoo_shrink``): the first level whose build works is used and recorded, together with why the
more aggressive levels failed.  peft methods wrap a tiny Llama.
"""

from __future__ import annotations

import copy
import inspect
import logging
from typing import Any, Callable

from zoo_models import Factory, Unbuildable, first_level_that_builds
from zoo_shrink import shrink

# ------------------------------------------------------------------------------ transformers

_PREFERRED_MAPPINGS = ("MODEL_MAPPING_NAMES", "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
                       "MODEL_FOR_PRETRAINING_MAPPING_NAMES", "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES")


def _quiet() -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    logging.getLogger("diffusers").setLevel(logging.ERROR)


def transformers_models() -> list[str]:
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    return sorted(CONFIG_MAPPING_NAMES)


def _model_class(model_type: str) -> tuple[type, str]:
    """The base model class of ``model_type``, or failing that the first auto class that maps it."""
    import transformers
    from transformers.models.auto import modeling_auto

    others = sorted(n for n in dir(modeling_auto) if n.endswith("_MAPPING_NAMES") and n.startswith("MODEL")
                    and n not in _PREFERRED_MAPPINGS)
    for mapping_name in (*_PREFERRED_MAPPINGS, *others):
        mapping = getattr(modeling_auto, mapping_name, {})
        if model_type in mapping:
            class_name = mapping[model_type]
            class_name = class_name[0] if isinstance(class_name, (list, tuple)) else class_name
            model_class = getattr(transformers, class_name, None)
            if model_class is not None:
                return model_class, mapping_name
    from transformers import CONFIG_MAPPING

    # sub-configs (a vision tower's config) name their model after themselves: Blip2VisionConfig -> Blip2VisionModel
    guessed = CONFIG_MAPPING[model_type].__name__.removesuffix("Config") + "Model"
    if isinstance(getattr(transformers, guessed, None), type):
        return getattr(transformers, guessed), "named after the config class"
    raise Unbuildable("no model class in any transformers auto mapping")


def transformers_prepare(model_type: str) -> tuple[Factory, dict]:
    _quiet()
    from transformers import CONFIG_MAPPING

    config_class = CONFIG_MAPPING[model_type]
    model_class, mapping = _model_class(model_type)
    try:
        default = config_class().to_dict()
    except Exception as error:  # noqa: BLE001 - composite configs need their parts
        raise Unbuildable(f"default config raised {type(error).__name__}: {str(error)[:200]}",
                          model_class=model_class.__name__) from None

    def attempt(level: str) -> Factory:
        config = config_class.from_dict(shrink(default, level))
        return lambda: model_class(config)

    factory, info = first_level_that_builds(attempt, model_type)
    return factory, info | {"model_class": model_class.__name__, "mapping": mapping}


# ------------------------------------------------------------------------------ diffusers


# sizes some diffusers classes leave as None for the caller to choose
_DIFFUSERS_UNSET = {"in_channels": 4, "out_channels": 4, "num_attention_heads": 2, "attention_head_dim": 8,
                    "sample_size": 16, "patch_size": 2, "num_layers": 1}


def _diffusers_classes() -> dict[str, type]:
    import diffusers
    from diffusers.models.modeling_utils import ModelMixin

    found = {}
    exported = {name for names in diffusers.models._import_structure.values() for name in names}
    for name in sorted(exported):
        try:
            value = getattr(diffusers.models, name)
        except Exception:  # noqa: BLE001 - optional backends (flax, onnx) that are not installed
            continue
        if isinstance(value, type) and issubclass(value, ModelMixin) and value is not ModelMixin:
            found[name] = value
    return found


def diffusers_models() -> list[str]:
    return sorted(_diffusers_classes())


def diffusers_prepare(name: str) -> tuple[Factory, dict]:
    _quiet()
    model_class = _diffusers_classes()[name]
    signature = inspect.signature(model_class.__init__)
    required = [p.name for p in list(signature.parameters.values())[1:]
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if required:
        raise Unbuildable(f"constructor needs {', '.join(required)} (no default config)")
    default = {p.name: p.default for p in list(signature.parameters.values())[1:]
               if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    filled = default | {key: value for key, value in _DIFFUSERS_UNSET.items()
                        if key in default and default[key] is None}

    def attempt_with(config: dict[str, Any]) -> Callable[[str], Factory]:
        def attempt(level: str) -> Factory:
            kwargs = shrink(config, level)
            return lambda: model_class(**kwargs)
        return attempt

    try:  # the defaults as they are first: some classes refuse a value where they expect None
        return first_level_that_builds(attempt_with(default), name)
    except Unbuildable:
        if filled == default:
            raise
        factory, info = first_level_that_builds(attempt_with(filled), name)
        return factory, info | {"filled": sorted(k for k in filled if filled[k] is not default[k])}


# ------------------------------------------------------------------------------ peft

_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# what some methods need beyond the defaults to fit a 32-wide model (sizes must divide 32)
_METHOD_KWARGS: dict[str, dict[str, Any]] = {
    "IA3": {"feedforward_modules": ["down_proj", "up_proj", "gate_proj"]},
    "ADALORA": {"total_step": 10, "init_r": 4, "target_r": 2},
    "VBLORA": {"vector_length": 8, "num_vectors": 16, "r": 4},
    "FOURIERFT": {"n_frequency": 64},
    "OFT": {"r": 0, "oft_block_size": 8},
    "BOFT": {"boft_block_size": 4, "boft_n_butterfly_factor": 1},
    "HRA": {"r": 4},
    "BONE": {"r": 4},
    "MISS": {"r": 4},
    "C3A": {"block_size": 8},
    "RANDLORA": {"r": 4},
    "SHIRA": {"r": 4},
    "LORA": {"r": 4},
    "LOHA": {"r": 4},
    "LOKR": {"r": 4},
    "VERA": {"r": 4},
    "POLY": {"r": 4, "n_tasks": 2},
    "PROMPT_TUNING": {"num_virtual_tokens": 4},
    "MULTITASK_PROMPT_TUNING": {"num_virtual_tokens": 4, "num_tasks": 2},
    "P_TUNING": {"num_virtual_tokens": 4, "encoder_hidden_size": 32},
    "PREFIX_TUNING": {"num_virtual_tokens": 4},
    "CPT": {"cpt_token_ids": [0, 1, 2], "cpt_mask": [1, 1, 1], "cpt_tokens_type_mask": [1, 2, 3]},
    "ADAPTION_PROMPT": {"adapter_len": 4, "adapter_layers": 1},
    "ROAD": {"group_size": 8},
    "WAVEFT": {"n_frequency": 64},
    "CARTRIDGE": {"num_virtual_tokens": 4},
}
# LoRA's initializations, each a model of its own: they differ in what starts at zero
_LORA_VARIANTS = {"dora": {"use_dora": True}, "rslora": {"use_rslora": True},
                  "gaussian": {"init_lora_weights": "gaussian"}, "pissa": {"init_lora_weights": "pissa"},
                  "olora": {"init_lora_weights": "olora"}}


def tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=99, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(config)


def peft_models() -> list[str]:
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING

    names = sorted(str(getattr(t, "value", t)) for t in PEFT_TYPE_TO_CONFIG_MAPPING)
    return names + [f"LORA+{variant}" for variant in _LORA_VARIANTS]


def peft_prepare(name: str) -> tuple[Factory, dict]:
    _quiet()
    from peft import get_peft_model
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING

    method, _, variant = name.partition("+")
    config_class = {str(getattr(t, "value", t)): c for t, c in PEFT_TYPE_TO_CONFIG_MAPPING.items()}[method]
    fields = set(getattr(config_class, "__dataclass_fields__", {}))
    kwargs: dict[str, Any] = {"task_type": "CAUSAL_LM"} if "task_type" in fields else {}
    if "target_modules" in fields:
        kwargs["target_modules"] = list(_TARGETS)
    kwargs.update(_METHOD_KWARGS.get(method, {}))
    kwargs.update(_LORA_VARIANTS.get(variant, {}))
    kwargs = {k: v for k, v in kwargs.items() if k in fields}
    try:
        config = config_class(**kwargs)
    except Exception as error:  # noqa: BLE001
        raise Unbuildable(f"{config_class.__name__}({kwargs}) raised {type(error).__name__}: {str(error)[:200]}")

    def factory():
        return get_peft_model(tiny_llama(), copy.deepcopy(config))

    return factory, {"peft_config": {k: str(v) for k, v in kwargs.items()}}
