"""The watch over a build (``capture``): what it fills, what it counts as written, and what it leaves alone."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import threading

import pytest
import torch
from torch import nn

from pytest_paraminit import build_and_check
from pytest_paraminit.capture import watch
from pytest_paraminit.written import WrittenBits


def _random_view(base: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """A view of ``base``'s storage: rows and columns cut and stepped, maybe transposed or broadcast."""
    width = rng.choice([3, 5, 7, 8, 16, 24, 64])
    rows = base.numel() // width
    if rows == 0:
        return base
    matrix = base[: rows * width].view(rows, width)
    top, left = rng.randrange(rows), rng.randrange(width)
    view = matrix[top : rng.randint(top + 1, rows) : rng.choice([1, 1, 2, 3]),
                  left : rng.randint(left + 1, width) : rng.choice([1, 1, 2])]
    if rng.random() < 0.3:
        view = view.t()
    if rng.random() < 0.1:
        view = view[:, :1].expand(-1, 4)
    return view


def test_written_bits_agree_with_a_bool_per_element():
    rng = random.Random(13)
    for _ in range(300):
        numel = rng.choice([1, 7, 8, 63, 100, 1000, 4099])
        base = torch.zeros(numel)
        expected = torch.zeros(numel, dtype=torch.bool)
        bits = WrittenBits(numel)
        for _ in range(rng.randint(1, 5)):
            view = _random_view(base, rng)
            bits.add(view)
            expected.as_strided(view.shape, view.stride(), view.storage_offset()).fill_(True)
            query = _random_view(base, rng)
            seen = expected.as_strided(query.shape, query.stride(), query.storage_offset())
            assert bits.count(query) == int(seen.sum())
            assert bits.full() == bool(expected.all())


def test_written_bits_of_a_large_storage_take_a_bit_per_element():
    numel = 1 << 24
    bits = WrittenBits(numel)
    matrix = torch.empty(0).set_(torch.UntypedStorage(4 * numel), 0, (4096, 4096), (4096, 1))
    bits.add(matrix[:, :1001])  # rows cut at an odd width go through windows of packed bits
    bits.add(matrix[:2048])  # whole bytes of bits
    assert bits.bits.numel() == numel // 8
    assert bits.count(matrix) == 2048 * 4096 + 2048 * 1001
    assert bits.count(matrix[:, ::4096]) == 4096  # one column: element indices
    assert not bits.full()


class ColumnsWritten(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(12, 10))
        with torch.no_grad():
            self.weight[:, 1:4].uniform_(-0.1, 0.1)
            self.weight.t()[7].zero_()  # column 7 through a transposed view
            self.weight.view(-1)[::30].fill_(0.05)  # every third row's first element, flat


def test_partial_writes_through_any_view_are_counted_exactly():
    _, report = build_and_check(ColumnsWritten)
    reference = torch.zeros(12, 10, dtype=torch.bool)
    reference[:, 1:4] = True
    reference[:, 7] = True
    reference.view(-1)[::30] = True
    finding = report.failures[0]
    assert finding.check == "uninitialized"
    assert finding.measured == f"{int((~reference).sum())} of 120 elements never written"


class PermutedEmpty(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty_permuted((8, 4), (1, 0)))


class GrownByResize(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(torch.full((4,), 0.5).resize_(16))


def test_every_way_to_raw_memory_is_filled_or_tracked():
    _, report = build_and_check(PermutedEmpty)
    assert [(f.check, f.measured) for f in report.failures] == [("uninitialized", "32 of 32 elements never written")]
    # what resize_ adds is NaN, as under torch's deterministic fill (not tracked: resize_ counts as a write)
    module, report = build_and_check(GrownByResize)
    assert [(f.check, f.measured) for f in report.failures] == [("non-finite", "12 NaN/Inf")]
    assert torch.isnan(module.table[4:]).all() and (module.table[:4] == 0.5).all()


def test_writes_name_the_initializer_and_its_arguments():
    with watch() as tracker:
        layer = nn.Linear(16, 4)
        nn.init.normal_(layer.weight, std=1e-3)
        layer.bias.data[:2].zero_()  # a partial write
    assert [str(op) for op in tracker.writes(layer.weight)][-1] == "normal_(0, 0.001)"
    *_, uniform, zero = tracker.writes(layer.bias)
    assert (uniform.name, uniform.full, zero.name, zero.full) == ("uniform_", True, "zero_", False)
    assert tracker.writes(torch.zeros(3)) == ()


def test_other_threads_are_not_watched():
    """A thread that allocates while a module is built elsewhere gets torch's plain memory, not NaN."""
    building, allocated = threading.Event(), threading.Event()
    seen = {}

    def other_thread():
        building.wait(timeout=30)
        fresh = torch.empty(1 << 24)  # 64 MiB: fresh pages from the OS, zero unless something fills them
        seen["nan"] = bool(torch.isnan(fresh).any())
        allocated.set()

    class Builder(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(8, 8)
            building.set()
            assert allocated.wait(timeout=30)

    thread = threading.Thread(target=other_thread)
    thread.start()
    _, report = build_and_check(Builder)
    thread.join(timeout=30)
    assert seen == {"nan": False}
    assert not report.failed, report.render()


def test_a_constructor_keeps_the_deterministic_mode_it_sets():
    before = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())

    class Deterministic(nn.Module):
        def __init__(self):
            super().__init__()
            torch.use_deterministic_algorithms(True, warn_only=True)
            self.proj = nn.Linear(8, 8)

    try:
        _, report = build_and_check(Deterministic)
        assert not report.failed
        assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        torch.use_deterministic_algorithms(before[0], warn_only=before[1])


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=240)


def test_a_watched_build_does_not_load_dynamo():
    """torch wraps dispatch modes in ``torch._dynamo.disable``, whose first call imports dynamo (1-2 s)."""
    run = _run("""
        import sys
        from torch import nn
        from pytest_paraminit import build_and_check
        _, report = build_and_check(nn.Linear, 4, 4)
        assert not report.failed
        print("torch._dynamo" in sys.modules)
    """)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False"]


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed is not built in")
def test_dtensor_parameters_are_judged_through_their_shards():
    """A one-process gloo world: DTensor parameters (made directly and by FSDP2) are judged by their local
    shards, never crash the checker; torch.empty scattered by distribute_tensor stays NaN (non-finite)."""
    run = _run("""
        import tempfile
        import torch, torch.distributed as dist
        from torch import nn
        from torch.distributed.device_mesh import init_device_mesh
        from torch.distributed.fsdp import fully_shard
        from torch.distributed.tensor import Replicate, Shard, distribute_tensor
        from pytest_paraminit import build_and_check

        dist.init_process_group("gloo", init_method=f"file://{tempfile.mktemp()}", rank=0, world_size=1)
        mesh = init_device_mesh("cpu", (1,))

        class Sharded(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(8, 8)
                self.w = nn.Parameter(distribute_tensor(torch.randn(8, 8) / 3, mesh, [Shard(0)]))
                self.raw = nn.Parameter(distribute_tensor(torch.empty(8, 8), mesh, [Replicate()]))

        def fsdp():
            model = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 4))
            fully_shard(model, mesh=mesh)
            return model

        for factory in (Sharded, fsdp):
            _, report = build_and_check(factory)
            report.render(), report.to_json()
            for record in report.parameters:
                print(record.name, record.verdict)
        dist.destroy_process_group()
    """)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "w ok", "raw non-finite", "proj.weight ok", "proj.bias ok",
        "0.weight ok", "0.bias ok", "1.weight ok", "1.bias ok",
    ]


class _LargeHalfWritten(nn.Module):
    """A parameter above ``capture.LAZY_FILL``, written half way at an odd width, with a subnormal and an Inf
    among the written elements."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(1_100, 4_001))
        torch.manual_seed(0)
        nn.init.normal_(self.weight[:, :2_001], std=0.02)
        with torch.no_grad():
            self.weight[0, 3] = 1e-40
            self.weight[5, 9] = float("inf")


def _outcome(module_class) -> tuple:
    module, report = build_and_check(module_class)
    (record,) = report.parameters
    stats = record.stats
    return ([str(finding) for finding in record.findings + report.state_findings],
            (stats.numel, stats.nonfinite, stats.subnormal, stats.mean, stats.std, stats.min, stats.max),
            record.histogram())


def test_a_lazily_filled_allocation_gives_what_the_eager_fill_gives(monkeypatch):
    from pytest_paraminit import capture

    assert _LargeHalfWritten().weight.untyped_storage().nbytes() >= capture.LAZY_FILL
    lazy = _outcome(_LargeHalfWritten)
    monkeypatch.setattr(capture, "LAZY_FILL", 1 << 62)  # every allocation filled at once, as before
    assert lazy == _outcome(_LargeHalfWritten)
    assert "2200000 of 4401100 elements never written" in " ".join(lazy[0])


def test_an_op_reading_a_lazily_filled_allocation_reads_nan():
    with watch() as tracker:
        big = torch.empty(1 << 23)
        big[: 1 << 20].normal_()
        copied = big[(1 << 20) - 4 :].clone()  # reads raw memory: NaN, as under the eager fill
        big.mul_(2)  # a write that reads: the never-written part stays NaN
    assert bool(copied[4:].isnan().all()) and not bool(copied[:4].isnan().any())
    assert int(big.isnan().sum()) == (1 << 23) - (1 << 20)
    assert tracker.unfilled(big) is None
