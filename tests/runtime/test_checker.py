"""The plain-Python checker on real torch and transformers modules."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from buggy_modules import BUGS, UNREGISTERED, Case
from intended_modules import INTENDED
from known_good import TORCH_LAYERS, blip2_config, transformers_deliberate, transformers_models
from pytest_paraminit import AllowList, build_and_check, build_deferred_and_check, check_module
from pytest_paraminit.capture import watch

WITHOUT_RESET_PARAMETERS = {"MultiheadAttention", "MultiheadAttention-kdim", "TransformerEncoderLayer",
                            "TransformerDecoderLayer", "Transformer"}


def failures(report) -> set[tuple[str, str]]:
    return {(finding.check, finding.name) for finding in report.failures}


@pytest.mark.parametrize("name", TORCH_LAYERS)
def test_torch_layers_have_no_findings(name):
    factory, args, kwargs = TORCH_LAYERS[name]
    module, report = build_and_check(factory, *args, **kwargs)
    assert not report.failed, report.render()
    assert report.parameters


@pytest.mark.parametrize("name", TORCH_LAYERS)
def test_torch_layers_through_the_deferred_path(name):
    factory, args, kwargs = TORCH_LAYERS[name]
    module, report = build_deferred_and_check(factory, *args, **kwargs)
    if name in WITHOUT_RESET_PARAMETERS:
        # nn.MultiheadAttention only has a private _reset_parameters(): FSDP-style init misses it, and says so
        assert {f.check for f in report.failures} == {"uninitialized"}
        assert all(f.name.endswith(("in_proj_weight", "in_proj_bias", "proj_weight", "bias_k", "bias_v"))
                   for f in report.failures), report.render()
        private = "MultiheadAttention has only a private _reset_parameters(), which the reset_parameters() convention"
        assert all(private in f.site and f.site.startswith("eager: written by ") for f in report.failures)
        assert all("call _reset_parameters() on every MultiheadAttention" in f.fix for f in report.failures)
    else:
        assert not report.failed, report.render()


def _hf_initialize(model):
    model.apply(model._init_weights)
    model.tie_weights()


@pytest.mark.parametrize("name", list(transformers_models()))
def test_transformers_models_have_no_findings(name):
    factory = transformers_models()[name]
    module, report = build_and_check(factory)
    assert not report.failed, report.render()
    module, report = build_deferred_and_check(factory, initialize=_hf_initialize)
    assert not report.failed, report.render()


@pytest.mark.parametrize("name", list(transformers_deliberate()))
def test_transformers_deliberate_zero_inits_are_notes(name):
    factory, kinds = transformers_deliberate()[name]
    _, report = build_and_check(factory)
    assert not report.failed, report.render()
    assert {note.kind for note in report.notes} == kinds, report.render()


def test_blip2_query_tokens_and_its_tiny_vision_init_are_caught():
    import transformers

    _, report = build_and_check(transformers.Blip2Model, blip2_config())
    found = failures(report)
    assert ("constant", "query_tokens") in found
    vision = {name for check, name in found if name.startswith("vision_model.")}
    assert {check for check, name in found if name.startswith("vision_model.")} == {"scale"}
    assert "vision_model.embeddings.patch_embedding.weight" in vision and "vision_model.embeddings.class_embedding" in vision
    assert {check for check, _ in found} == {"constant", "scale"}, report.render()


@pytest.mark.parametrize("case", BUGS + UNREGISTERED, ids=lambda case: case.id)
def test_bug_suite(case: Case):
    build = build_deferred_and_check if case.deferred else build_and_check
    module, report = build(case.module)
    assert (case.check, case.name) in failures(report), report.render()
    assert {check for check, _ in failures(report)} <= {c.check for c in BUGS + UNREGISTERED if c.module is case.module}


@pytest.mark.parametrize("module", INTENDED, ids=lambda module: module.__name__)
def test_deliberate_inits_pass_with_their_notes(module):
    _, report = build_and_check(module)
    assert not report.failed, report.render()
    assert {note.kind for note in report.notes} == set(INTENDED[module]), report.render()


def test_bug_suite_covers_every_check():
    from pytest_paraminit import CHECKS
    from pytest_paraminit.findings import DISTRIBUTED_CHECKS

    # the distributed checks need several ranks: tests/runtime/test_distributed.py covers them
    assert {case.check for case in BUGS + UNREGISTERED} == set(CHECKS) - DISTRIBUTED_CHECKS
    assert len(BUGS) >= 20 and len(UNREGISTERED) >= 8


def test_nan_written_on_purpose_is_not_uninitialized():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(torch.zeros(4, 4) / 0)  # 0/0 on purpose
            self.b = nn.Parameter(torch.empty(4, 4))

    _, report = build_and_check(Model)
    assert failures(report) == {("non-finite", "a"), ("uninitialized", "b")}
    finding = next(f for f in report.failures if f.name == "b")
    assert finding.site.endswith(f"test_checker.py:{Model.__init__.__code__.co_firstlineno + 3}")
    assert finding.measured == "16 of 16 elements never written"


def test_partial_write_counts_unwritten_elements():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.empty(10, 10))
            self.w.data[:, :3].normal_(std=0.1)

    _, report = build_and_check(Model)
    assert report.failures[0].measured == "70 of 100 elements never written"


def _settings():
    return (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
            torch.utils.deterministic.fill_uninitialized_memory, torch.get_num_threads())


def test_no_global_setting_changes_also_when_the_constructor_raises():
    before = _settings()
    seen = []

    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            seen.append(_settings())
            raise RuntimeError("bad config")

    module, report = build_and_check(Broken)
    assert module is None and report.failed
    assert report.error == "constructor raised RuntimeError: bad config"
    assert "bad config" in report.render()
    assert seen == [before] and _settings() == before
    with pytest.raises(KeyError), watch():
        raise KeyError
    assert _settings() == before


class _Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)


def _global_torch_state():
    return (_settings(), torch.get_default_dtype(), torch.is_grad_enabled(), torch.is_inference_mode_enabled(),
            torch.get_default_device(), torch.are_deterministic_algorithms_enabled(),
            torch.distributed.is_initialized() and torch.distributed.get_world_size())


def test_unjudgeable_parameters_are_reported_not_crashed(tmp_path):
    """Every odd parameter kind (issue 16's list) in one module: each is named in the report with
    why it was skipped, the rest are judged, and no global torch state is left changed."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Replicate, distribute_tensor
    from torch.nn.utils import parametrize

    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.lazy = nn.LazyLinear(4)
            self.meta = nn.Parameter(torch.randn(3, 3, device="meta"))
            self.steps = nn.Parameter(torch.zeros(3, dtype=torch.int64), requires_grad=False)
            self.flags = nn.Parameter(torch.ones(3, dtype=torch.bool), requires_grad=False)
            self.phase = nn.Parameter(torch.randn(3, dtype=torch.complex64))
            self.raw_int = nn.Parameter(torch.empty(5, dtype=torch.int32), requires_grad=False)
            self.quantized = nn.Parameter(torch.quantize_per_tensor(torch.randn(4), 0.1, 0, torch.qint8),
                                          requires_grad=False)
            self.coo = nn.Parameter(torch.randn(4, 4).to_sparse())
            self.csr = nn.Parameter(torch.randn(4, 4).to_sparse_csr())
            self.rows = nn.Parameter(torch.nested.nested_tensor([torch.randn(2, 4), torch.randn(3, 4)]))
            self.shard = nn.Parameter(distribute_tensor(torch.randn(4, 4), init_device_mesh("cpu", (1,)), [Replicate()]))
            self.sym = nn.Linear(4, 4)
            parametrize.register_parametrization(self.sym, "weight", _Symmetric())
            self.raw_sym = nn.Linear(4, 4)
            parametrize.register_parametrization(self.raw_sym, "weight", _Symmetric())
            self.raw_sym.parametrizations.weight.original = nn.Parameter(torch.empty(4, 4))

    torch.distributed.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        before = _global_torch_state()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's prototype/beta/deprecation notes for these kinds
            _, report = build_and_check(Odd)
        after = _global_torch_state()
    finally:
        torch.distributed.destroy_process_group()
    assert after == before
    verdicts = {record.name: record.verdict for record in report.parameters}
    assert verdicts["lazy.weight"].startswith("skipped: lazy")
    assert verdicts["meta"].startswith("skipped: meta")
    assert verdicts["steps"].startswith("skipped: torch.int64")
    assert verdicts["flags"].startswith("skipped: torch.bool")
    assert verdicts["phase"].startswith("skipped: complex")
    assert verdicts["quantized"].startswith("skipped: quantized")
    assert verdicts["coo"] == "skipped: torch.sparse_coo layout"
    assert verdicts["csr"] == "skipped: torch.sparse_csr layout"
    assert verdicts["rows"].startswith("skipped: nested tensor")
    assert verdicts["shard"] == "ok" and verdicts["sym.parametrizations.weight.original"] == "ok"
    assert verdicts["raw_int"] == "uninitialized"
    assert failures(report) == {("uninitialized", "raw_int"), ("uninitialized", "raw_sym.parametrizations.weight.original")}
    rendered = report.render()
    assert all(name in rendered for name in verdicts)


def test_allow_list_by_glob():
    class LoRA(nn.Module):
        def __init__(self):
            super().__init__()
            self.lora_A = nn.Parameter(torch.randn(4, 64) / 8)
            self.lora_B = nn.Parameter(torch.ones(64, 4))  # ones where zeros were meant

        def forward(self, x):
            return x @ self.lora_A.t() @ self.lora_B.t()

    _, report = build_and_check(LoRA)
    assert failures(report) == {("constant", "lora_B")}
    _, report = build_and_check(LoRA, allow=AllowList.from_mapping({"lora_*": "constant"}))
    assert not report.failed
    assert report.parameters[1].verdict == "ok (allowed: constant)"
    _, report = build_and_check(LoRA, allow=AllowList.from_lines(["*.lora_B: constant"]))
    assert not report.failed  # "*.lora_B" matches at the root too
    _, report = build_and_check(LoRA, allow=AllowList.from_lines(["blocks.*.lora_B: constant"]))
    assert report.failed
    with pytest.raises(ValueError, match="unknown check"):
        AllowList.from_mapping({"x": "no-such-check"})


def _project(x, weight):  # outside the class: its source does not show the product, a forward pass does
    return torch.matmul(x, weight)


def test_roles_from_an_example_forward_pass():
    class ViTish(nn.Module):
        def __init__(self, n=16, dim=256):
            super().__init__()
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
            self.pos = nn.Parameter(torch.randn(1, n + 1, dim))
            self.mix = nn.Parameter(torch.randn(dim, 512))

        def forward(self, x):
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
            return _project(x, self.mix)

    module = ViTish()
    roles = {r.name: r.role for r in check_module(module).parameters}
    assert roles["cls_token"].kind == "embedding" and roles["pos"].kind == "embedding"
    assert roles["mix"].kind == "unknown"
    report = check_module(module, example_input=torch.randn(2, 16, 256))
    roles = {r.name: r.role for r in report.parameters}
    assert roles["mix"].kind == "weight" and roles["mix"].fan_in == 256
    assert failures(report) == {("scale", "mix")}


def test_a_nested_tensor_parameter_is_skipped_not_raised():
    class Ragged(nn.Module):
        def __init__(self):
            super().__init__()
            self.rows = nn.Parameter(torch.nested.nested_tensor([torch.randn(2, 4), torch.randn(3, 4)]))
            self.proj = nn.Linear(4, 4)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's prototype note, emitted once per process
        _, report = build_and_check(Ragged)
    assert not report.failed, report.render()
    assert report.parameters[0].verdict == "skipped: nested tensor (values not judged)"
    assert "rows" in report.render() and report.to_json()["parameters"][0]["shape"] == []


def test_a_note_says_what_the_initializer_asked_for():
    from intended_modules import ScaledDownHead, ZeroHeadClassifier

    _, report = build_and_check(ScaledDownHead)
    (note,) = report.notes
    assert note.name == "head.weight" and note.kind == "small on purpose"
    assert note.detail.startswith("std = ") and "(std·√fan_in = " in note.detail, note.detail  # the table's unit first
    assert note.detail.endswith("mul_(0.001)"), note.detail
    _, report = build_and_check(ZeroHeadClassifier)
    assert [str(note) for note in report.notes] == [
        "head.weight: zero weight (all 640 elements = 0, written by zero_()): starts as a no-op; its input still "
        "gives each unit its own gradient, so it trains"]
    assert report.render().splitlines()[-1] == (
        "  note: zero weight: head.weight (all 640 elements = 0, written by zero_()): starts as a no-op; its input "
        "still gives each unit its own gradient, so it trains")


def test_the_capture_remembers_what_wrote_a_tensor():
    with watch() as tracker:
        weight = torch.zeros(8, 8)
        nn.init.normal_(weight, std=1e-6)
        weight.mul_(0.5)
        partly = torch.zeros(4)
        partly[:2] = 1.0
        drawn = torch.randn(4, 4) * 0.02
    assert [str(op) for op in tracker.writes(weight)] == ["zero_()", "normal_(0, 1e-06)", "mul_(0.5)"]
    assert [op.full for op in tracker.writes(partly)] == [True, False]
    assert [str(op) for op in tracker.writes(drawn)] == ["normal_(0, 1)", "mul_(0.02)"]
    assert tracker.writes(torch.ones(3)) == ()


def test_raw_memory_is_followed_through_copies_and_arithmetic():
    import torch.nn.functional as F

    with watch() as tracker:
        padded = F.pad(torch.empty(6), (0, 2))
        scaled = torch.empty(3, 4) * 0.02
        half = torch.empty(4)
        half[:2] = 1.0
        joined = torch.cat([half, torch.ones(2)])
        clean = torch.cat([torch.zeros(2), torch.ones(2)])
    assert [tracker.unwritten(t)[0] for t in (padded, scaled, joined, clean)] == [6, 12, 2, 0]
