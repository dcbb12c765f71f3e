"""The meta-device path: the initializer by name or callable, buffers, the comparison with the eager
build, parametrizations and nn.MultiheadAttention, on realistic models and real transformers ones."""

from __future__ import annotations

import pytest
from torch import nn
from torch.nn.utils import parametrizations, parametrize

from deferred_models import (GPT, AttentionPool, AttentionPoolPrivateOnly, CompleteGPT, FixedLlamaBlock,
                             HFStyleModel, LlamaBlock, WeightNormConvs, WeightNormConvsInit)
from known_good import transformers_models
from pytest_paraminit import build_and_check, build_deferred_and_check
from pytest_paraminit.initializers import InitializerError


def misses(report) -> dict[str, object]:
    return {f.name: f for f in report.failures if f.check == "uninitialized"}


def test_init_weights_that_forgets_scalars_names_them_with_the_eager_writer():
    _, report = build_deferred_and_check(GPT, initialize="init_weights")
    found = misses(report)
    assert set(found) == {f"blocks.{i}.{name}" for i in range(2) for name in ("lambdas", "gate")}, report.render()
    assert found["blocks.0.gate"].site == (
        "eager: written by zeros in Block.__init__; deferred: never written — GPT.init_weights() does not cover it "
        "(owner: Block)")
    assert found["blocks.0.lambdas"].fix == (
        "write self.blocks.0.lambdas in GPT.init_weights() (nn.init.*_ or copy_), as __init__ does")
    assert report.title == "GPT (deferred, init_weights)"


def test_reset_parameters_path_says_which_class_lacks_it():
    _, report = build_deferred_and_check(GPT)
    found = misses(report)
    assert set(found) == {f"blocks.{i}.{name}" for i in range(2) for name in ("lambdas", "gate")}
    assert found["blocks.1.gate"].site.endswith("deferred: never written — Block has no reset_parameters()")


@pytest.mark.parametrize("initialize", ["reset_parameters", "init_weights", lambda model: model.init_weights()])
def test_a_model_correct_on_every_path_is_silent(initialize):
    if initialize == "reset_parameters":
        _, report = build_deferred_and_check(nn.Sequential, nn.Linear(2, 2))  # built eagerly inside: still clean
        assert not report.failed, report.render()
        _, report = build_deferred_and_check(FixedLlamaBlock)
    else:
        _, report = build_deferred_and_check(CompleteGPT, initialize=initialize)
    assert not report.failed, report.render()
    assert not build_and_check(CompleteGPT)[1].failed


def test_rope_and_mask_buffers_lost_by_to_empty():
    _, report = build_deferred_and_check(LlamaBlock)
    found = misses(report)
    assert set(found) == {"rotary.inv_freq", "causal"}, report.render()
    assert found["rotary.inv_freq"].measured == "4 of 4 elements never written (buffer)"
    assert "RotaryEmbedding registers this non-persistent buffer; RotaryEmbedding has no " \
           "reset_parameters()" in found["rotary.inv_freq"].site
    assert found["rotary.inv_freq"].fix.startswith("recompute it in RotaryEmbedding.reset_parameters() "
                                                   "(self.inv_freq.copy_(...)")
    assert "persistent=False does not change that" in found["rotary.inv_freq"].fix
    assert "LlamaBlock registers this buffer" in found["causal"].site
    assert not build_and_check(LlamaBlock)[1].failed  # eagerly both buffers are computed


def test_hf_style_init_weights_misses_a_custom_parameter():
    _, report = build_deferred_and_check(HFStyleModel, initialize="_init_weights")
    found = misses(report)
    assert set(found) == {"logit_scale"}, report.render()
    assert found["logit_scale"].site.endswith(
        "HFStyleModel._init_weights(), applied to every module, does not cover it")
    assert found["logit_scale"].fix.startswith("write module.logit_scale (isinstance(module, HFStyleModel)) in "
                                               "HFStyleModel._init_weights()")


def test_weight_norm_originals_under_the_user_facing_name():
    _, report = build_deferred_and_check(WeightNormConvs)
    found = misses(report)
    assert {"convs.0.weight (weight_norm original0)", "convs.0.weight (weight_norm original1)"} <= set(found)
    assert "convs.0.bias" not in found  # Conv1d.reset_parameters() writes the bias; only the originals are lost
    assert found["convs.1.weight (weight_norm original1)"].site.startswith(
        "eager: written by kaiming_uniform_ in _ConvNd.reset_parameters; deferred: never written — "
        "ParametrizedConv1d.reset_parameters() does not initialize it")
    assert "right_inverse" in found["convs.1.weight (weight_norm original0)"].fix
    _, report = build_deferred_and_check(WeightNormConvsInit, initialize="init_weights")
    assert not report.failed, report.render()


def test_multihead_attention_private_reset_is_named_and_the_workaround_works():
    _, report = build_deferred_and_check(AttentionPool)
    found = misses(report)
    assert {"attn.in_proj_weight", "attn.in_proj_bias", "query"} <= set(found), report.render()
    assert "MultiheadAttention has only a private _reset_parameters()" in found["attn.in_proj_weight"].site
    assert found["attn.in_proj_weight"].site.startswith(
        "eager: written by xavier_uniform_ in MultiheadAttention._reset_parameters")
    assert found["attn.in_proj_weight"].fix.startswith("after reset_parameters() on every submodule, call "
                                                       "_reset_parameters() on every MultiheadAttention")
    _, report = build_deferred_and_check(AttentionPool, initialize="init_weights")
    assert not report.failed, report.render()
    _, report = build_deferred_and_check(AttentionPoolPrivateOnly, initialize="init_weights")
    assert set(misses(report)) == {"attn.out_proj.weight"}, report.render()  # the private reset alone is not enough


def test_unknown_initializer_names_the_choices():
    with pytest.raises(InitializerError, match="unknown initializer 'init_weight': use one of reset_parameters, "
                                               "init_weights, _init_weights, post_init"):
        build_deferred_and_check(GPT, initialize="init_weight")


def test_a_model_without_the_named_method_is_a_clear_error():
    module, report = build_deferred_and_check(LlamaBlock, initialize="post_init")
    assert module is None and report.failed
    assert report.error == ("initializer 'post_init': LlamaBlock has no post_init() method; it has reset_parameters "
                            "(or pass a callable: initialize=lambda model: ...)")


def test_an_import_path_initializer():
    _, report = build_deferred_and_check(LlamaBlock, initialize="deferred_models:FixedLlamaBlock.reset_parameters")
    # a callable is the whole initializer: it recomputes the mask and nothing else
    found = misses(report)
    assert set(found) == {"rotary.inv_freq", "norm.weight", "qkv.weight"}, report.render()
    assert found["qkv.weight"].site.endswith(
        "deferred: never written — the initializer deferred_models:FixedLlamaBlock.reset_parameters does not cover it")
    with pytest.raises(InitializerError, match="cannot import it"):
        build_deferred_and_check(LlamaBlock, initialize="deferred_models:nothing_here")


@pytest.mark.parametrize("name", ["llama", "gpt2", "bert"])
@pytest.mark.parametrize("initialize", ["_init_weights", "post_init"])
def test_transformers_models_are_ready_with_their_own_initializers(name, initialize):
    _, report = build_deferred_and_check(transformers_models()[name], initialize=initialize)
    assert not report.failed, report.render()


def test_transformers_llama_on_the_fsdp_path_loses_its_rope_buffer():
    _, report = build_deferred_and_check(transformers_models()["llama"])
    found = misses(report)
    assert "model.rotary_emb.inv_freq" in found, report.render()
    assert "LlamaRotaryEmbedding registers this non-persistent buffer" in found["model.rotary_emb.inv_freq"].site


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT


class Parametrized(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.square = nn.Linear(8, 8)
        parametrize.register_parametrization(self.square, "weight", Symmetric())
        self.head = parametrizations.spectral_norm(nn.Linear(8, 4))


def test_custom_and_spectral_norm_parametrizations_by_their_names():
    _, report = build_deferred_and_check(Parametrized)
    found = misses(report)
    assert {"square.weight (Symmetric original)", "head.weight (spectral_norm original)"} <= set(found), \
        report.render()
    assert "square.bias" not in found and "head.bias" not in found
    assert found["head.weight (spectral_norm original)"].site.startswith(
        "eager: written by kaiming_uniform_ in Linear.reset_parameters; deferred: never written")
    # spectral norm's power-iteration vectors are recomputed from the raw weight: written, but NaN
    poisoned = {f.name: f for f in report.failures if f.check == "non-finite"}
    assert set(poisoned) == {"head.weight (spectral_norm _u)", "head.weight (spectral_norm _v)"}, report.render()
    assert poisoned["head.weight (spectral_norm _u)"].measured == (
        "4 of 4 elements NaN (buffer, computed from raw memory)")
    assert "apply spectral_norm after materializing" in poisoned["head.weight (spectral_norm _u)"].fix
    _, report = build_and_check(Parametrized)
    assert not report.failed, report.render()


class RawEverywhere(nn.Module):
    """Raw on both paths: the eager side must say so whatever memory the allocator hands back."""

    def __init__(self):
        super().__init__()
        import torch

        self.weight = nn.Parameter(torch.empty(64, 64))
        self.scale = nn.Parameter(torch.empty(64).float() * 1)  # raw memory through a cast and arithmetic


@pytest.mark.parametrize("attempt", range(3))
def test_the_eager_side_of_a_parameter_raw_on_both_paths_is_worded_the_same_every_time(attempt):
    _, report = build_deferred_and_check(RawEverywhere)
    found = misses(report)
    assert set(found) == {"weight", "scale"}, report.render()
    for finding in found.values():
        assert finding.site.startswith("eager: never written in the eager build either; deferred: never written"), \
            finding.site
