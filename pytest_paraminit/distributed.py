"""Checks inside a ``torch.distributed`` job: DTensor shards (FSDP2, tensor parallel) and replicated copies.

Every rank runs the same ``check_module`` on its own part of the model; this module makes the verdicts
global.  Each rank computes its shards' statistics (:mod:`stats`) and never-written counts (:mod:`capture`
follows a DTensor's local tensor), and three collectives over the default process group combine them:
one sum and one max over a small table (a row per parameter), then the histograms against the global
range.  A sharded parameter's counts and sums add up over the ranks that hold distinct shards; a
replicated one (``Replicate()`` on every mesh dimension, or a plain tensor: each rank's own copy) is
judged as one copy.  Where the copies must be equal (``Replicate()``, or inside ``DistributedDataParallel``,
which broadcast them once), rank 0's copy is broadcast so that every rank measures how far its own
copy is from it (``rank-divergence``); a plain module outside DDP may differ by rank on purpose (DDP
syncs it when it wraps it; a hand-written tensor-parallel layer holds shards).  Counts that differ by rank are attributed in the
findings ("on rank 1: 100 % of its shard").

Every rank gets the same report, so ``assert not report.failed`` passes or fails everywhere.  A rank
that never joins (it raised, or runs other code) is an error on the others after
``PARAMINIT_DIST_TIMEOUT`` seconds (60 by default), never a hang; so are ranks that hold different
models and a DTensor whose mesh is not the whole process group.
"""

from __future__ import annotations

import datetime
import math
import os
import zlib
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .capture import WriteTracker
from .findings import CheckId, Finding
from .stats import TensorStats, finite_extremes, tensor_stats
from .tensors import is_dtensor, local

TIMEOUT_VARIABLE = "PARAMINIT_DIST_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
BINS = 8  # as report.ParameterRecord.histogram
# columns of the summed table: weighted numel, finite, Σx (_SUM), Σx² (_SQUARES), subnormal; from
# _RANKED on, never-written and then non-finite counts per rank
_SUM, _SQUARES, _RANKED = 2, 3, 5


class DistributedCheckError(RuntimeError):
    """The ranks cannot check together: no process group, ranks that disagree or do not join in time."""


def timeout() -> datetime.timedelta:
    """How long a collective may wait for the other ranks (``PARAMINIT_DIST_TIMEOUT`` seconds)."""
    text = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        seconds = float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise DistributedCheckError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds") from None
    return datetime.timedelta(seconds=seconds)


def in_job(tensors) -> bool:
    """Whether the check must be a collective one: a DTensor among ``tensors``, or a job of several ranks."""
    if any(is_dtensor(tensor) for tensor in tensors):
        return True
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def first_failure(failed: str | None) -> str | None:
    """What failed on the lowest rank where the build failed (``"on rank 1: constructor raised ..."``), or None.

    Every rank calls it after building, so that a rank whose constructor raised does not leave the others
    waiting in the check's collectives."""
    rank, world = dist.get_rank(), dist.get_world_size()
    flags = torch.zeros(world, dtype=torch.int64)
    flags[rank] = failed is not None
    work = dist.all_reduce(flags, async_op=True)
    try:
        work.wait(timeout())
    except Exception as error:  # noqa: BLE001 (gloo and NCCL raise their own types)
        raise DistributedCheckError(f"rank {rank}: the other ranks did not finish building within "
                                    f"{timeout().total_seconds():g} s ({TIMEOUT_VARIABLE}): {error}") from None
    failing = flags.nonzero().flatten().tolist()
    if not failing:
        return None
    messages: list[str | None] = [None] * world
    dist.all_gather_object(messages, failed)
    return f"on {_ranks(failing)}: {messages[failing[0]]}"


def _extremes(shard: torch.Tensor, stats: TensorStats) -> tuple[float, float]:
    """Min and max of a shard's finite elements: one ``aminmax`` when all are finite."""
    if stats.nonfinite:
        return finite_extremes(shard)
    low, high = torch.aminmax(shard.reshape(-1))
    return float(low), float(high)


def _largest_gap(mine: torch.Tensor, theirs: torch.Tensor) -> float:
    """max |mine − theirs|, NaN on both sides counting as equal and on one side as infinitely far."""
    both_nan = mine.isnan() & theirs.isnan()
    return float((mine.double() - theirs.double()).abs().masked_fill(both_nan, 0.0).nan_to_num(nan=math.inf).max())


@dataclass(eq=False)
class GroupStats(TensorStats):
    """Statistics over every rank's part; ``counts`` is the histogram the report shows."""

    counts: list[int] = field(default_factory=list)


@dataclass
class _Part:
    """One judged parameter on this rank."""

    name: str
    param: torch.Tensor
    shard: torch.Tensor
    replicated: bool  # every rank holds all of it: judged as one copy
    weight: float  # how much this rank's numbers count: 1 / (ranks holding the same elements)
    synced: bool  # its copies must be equal: Replicate() everywhere, or inside DistributedDataParallel


def _ranks(indices: list[int]) -> str:
    """``rank 1``, ``ranks 1, 3``, ``ranks 1–3``."""
    if len(indices) == 1:
        return f"rank {indices[0]}"
    if indices == list(range(indices[0], indices[-1] + 1)) and len(indices) > 2:
        return f"ranks {indices[0]}–{indices[-1]}"
    return "ranks " + ", ".join(map(str, indices))


class GroupCheck:
    """The global statistics, never-written counts and rank findings of one module's judged parameters.

    ``named`` are (name, parameter) pairs in the same order on every rank; the constructor runs the
    collectives, so every rank must construct it at the same point.
    """

    def __init__(self, module: torch.nn.Module, named: list[tuple[str, torch.Tensor]],
                 tracker: WriteTracker | None) -> None:
        if not (dist.is_available() and dist.is_initialized()):
            first = next(name for name, tensor in named if is_dtensor(tensor))
            raise DistributedCheckError(f"{first} is a DTensor but torch.distributed is not initialized: check it "
                                        "in the job that sharded it, before destroy_process_group()")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self._timeout = timeout()
        synced = {id(param) for wrapper in module.modules() if isinstance(wrapper, DistributedDataParallel)
                  for param in wrapper.parameters()}
        self._parts = [self._part(name, param, id(param) in synced) for name, param in named]
        self._agree(named)
        self._sites: dict[str, str | None] = {}
        self._findings: dict[str, list[Finding]] = {}
        self._stats: dict[str, GroupStats] = {}
        self._unwritten: dict[str, int] = {}
        self._attribution: dict[str, tuple[list[int], list[int], bool]] = {}
        self._reduce(tracker)

    # -- collectives with a deadline ---------------------------------------------------------------
    def _wait(self, work, what: str) -> None:
        try:
            work.wait(self._timeout)
        except Exception as error:  # gloo and NCCL raise their own types; the message says which ranks
            raise DistributedCheckError(
                f"rank {self.rank}: {what} did not complete within {self._timeout.total_seconds():g} s "
                f"({TIMEOUT_VARIABLE}): another rank raised, exited or is running other code "
                f"({str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__})"
            ) from None

    def _all_reduce(self, tensor: torch.Tensor, op, what: str) -> torch.Tensor:
        self._wait(dist.all_reduce(tensor, op=op, async_op=True), what)
        return tensor

    def _part(self, name: str, param: torch.Tensor, synced: bool) -> _Part:
        if not is_dtensor(param):  # each rank's own copy (DDP syncs it; outside DDP it may be a manual shard)
            return _Part(name, param, param.detach(), True, 1.0 / self.world, synced)
        mesh = param.device_mesh
        if mesh.size() != self.world:
            raise DistributedCheckError(
                f"rank {self.rank}: {name} is sharded on a mesh of {mesh.size()} ranks, but the process group "
                f"has {self.world}: check the model in the job whose mesh is the whole group")
        replicas = math.prod(mesh.size(dim) for dim, placement in enumerate(param.placements)
                             if not placement.is_shard())
        sharded = replicas != self.world
        return _Part(name, param, local(param).detach(), not sharded, 1.0 / replicas, not sharded)

    def _agree(self, named: list[tuple[str, torch.Tensor]]) -> None:
        """Every rank checks the same parameters (names, global shapes, placements) in the same order."""
        text = "\n".join(f"{part.name} {tuple(part.param.shape)} {part.replicated}" for part in self._parts)
        mine = torch.tensor([self.world, len(named), zlib.crc32(text.encode())], dtype=torch.int64)
        gathered = [torch.zeros_like(mine) for _ in range(self.world)]
        self._wait(dist.all_gather(gathered, mine, async_op=True), "the check's start (an all_gather)")
        table = torch.stack(gathered).tolist()
        if any(row[0] != self.world for row in table):
            sizes = ", ".join(f"rank {index}: {row[0]}" for index, row in enumerate(table))
            raise DistributedCheckError(f"the ranks see different world sizes ({sizes})")
        if any(row[1:] != table[0][1:] for row in table):
            counts = ", ".join(f"rank {index}: {row[1]} parameters" for index, row in enumerate(table))
            raise DistributedCheckError(
                f"the ranks check different models ({counts}; names, shapes or placements differ): every rank "
                "must check the same model at the same point")

    # -- statistics ----------------------------------------------------------------------------------
    def _reduce(self, tracker: WriteTracker | None) -> None:
        parts, world = self._parts, self.world
        summed = torch.zeros(len(parts), _RANKED + 2 * world, dtype=torch.float64)
        highest = torch.full((len(parts), 2), -math.inf, dtype=torch.float64)  # max, -min
        local_stats = []
        for row, part in enumerate(parts):
            stats = tensor_stats(part.shard)
            unwritten, site = tracker.unwritten(part.shard) if tracker is not None else (0, None)
            self._sites[part.name] = site
            local_stats.append(stats)
            finite = stats.finite
            total = stats.mean * finite if finite else 0.0
            summed[row, :_RANKED] = torch.tensor([stats.numel, finite, total, stats.root_sum_square ** 2,
                                                  stats.subnormal], dtype=torch.float64) * part.weight
            summed[row, _RANKED + self.rank] = unwritten
            summed[row, _RANKED + world + self.rank] = stats.nonfinite
            if finite:
                low, high = stats.extremes if stats.extremes is not None else _extremes(part.shard, stats)
                highest[row] = torch.tensor([high, -low], dtype=torch.float64)
        self._all_reduce(summed, dist.ReduceOp.SUM, "the statistics' sum (an all_reduce)")
        self._all_reduce(highest, dist.ReduceOp.MAX, "the statistics' extremes (an all_reduce)")
        counts = torch.zeros(len(parts), BINS, dtype=torch.float64)
        for row, part in enumerate(parts):
            high, low = float(highest[row, 0]), -float(highest[row, 1])
            if low <= high and part.shard.numel():
                values = part.shard if local_stats[row].nonfinite == 0 else part.shard[torch.isfinite(part.shard)]
                values = values if values.dtype in (torch.float32, torch.float64) else values.float()
                counts[row] = torch.histc(values, BINS, low, high if high > low else low + 1.0).double() * part.weight
        self._all_reduce(counts, dist.ReduceOp.SUM, "the histograms (an all_reduce)")
        divergence = self._divergence()
        for row, part in enumerate(parts):
            self._combine(part, summed[row].tolist(), float(highest[row, 0]), -float(highest[row, 1]),
                          [round(c) for c in counts[row].tolist()], divergence.get(part.name))

    def _divergence(self) -> dict[str, list[float]]:
        """Per replicated parameter, each rank's max |x − rank 0's x| (inf where only one side is NaN)."""
        replicated = [part for part in self._parts if part.synced and part.shard.numel()]
        if not replicated or self.world == 1:
            return {}
        gaps = torch.zeros(len(replicated), self.world, dtype=torch.float64)
        rows = {id(part): row for row, part in enumerate(replicated)}
        for dtype in dict.fromkeys(part.shard.dtype for part in replicated):  # one broadcast per dtype
            group = [part for part in replicated if part.shard.dtype == dtype]
            reference = torch.cat([part.shard.reshape(-1) for part in group])
            self._wait(dist.broadcast(reference, 0, async_op=True), "rank 0's replicated parameters (a broadcast)")
            start = 0
            for part in group:
                theirs = reference[start : start + part.shard.numel()].view(part.shard.shape)
                start += part.shard.numel()
                if self.rank and not torch.equal(part.shard, theirs):  # equal copies: one pass, the usual case
                    gaps[rows[id(part)], self.rank] = _largest_gap(part.shard, theirs)
        self._all_reduce(gaps, dist.ReduceOp.MAX, "the replicas' differences (an all_reduce)")
        return {part.name: gaps[row].tolist() for row, part in enumerate(replicated)}

    def _combine(self, part: _Part, row: list[float], high: float, low: float, counts: list[int],
                 gaps: list[float] | None) -> None:
        world = self.world
        numel, finite, total, squares, subnormal = (round(value) if index != _SUM and index != _SQUARES else value
                                                    for index, value in enumerate(row[:_RANKED]))
        unwritten_by_rank = [round(value) for value in row[_RANKED : _RANKED + world]]
        nonfinite_by_rank = [round(value) for value in row[_RANKED + world :]]
        if part.replicated:  # one copy: its worst rank decides
            unwritten = max(unwritten_by_rank)
            finite = numel - max(nonfinite_by_rank)
        else:
            unwritten = sum(unwritten_by_rank)
        nonfinite = numel - finite
        if finite:
            mean = total / finite
            variance = 0.0 if low == high else max(squares / finite - mean * mean, 0.0)
            stats = GroupStats(numel, nonfinite, subnormal, mean, math.sqrt(variance), math.sqrt(squares),
                               extremes=(low, high), counts=counts)
        else:
            stats = GroupStats(numel, nonfinite, 0, math.nan, math.nan, 0.0, extremes=(math.nan, math.nan))
        self._stats[part.name] = stats
        self._unwritten[part.name] = unwritten
        self._findings[part.name] = []
        if gaps is not None and max(gaps) > 0:
            self._findings[part.name].append(self._diverged(part.name, gaps))
        self._attribution[part.name] = (unwritten_by_rank, nonfinite_by_rank, part.replicated)

    @staticmethod
    def _diverged(name: str, gaps: list[float]) -> Finding:
        ranks = [rank for rank, gap in enumerate(gaps) if gap > 0]
        return Finding(CheckId.RANK_DIVERGENCE, name,
                       f"max |Δ| = {max(gaps):.3g} from rank 0's copy on {_ranks(ranks)}", "identical on every rank",
                       hint="initialize replicated parameters from one seed on every rank (torch.manual_seed before "
                            "building), or broadcast rank 0's values (DDP does; distribute_tensor(..., "
                            "[Replicate()]) does for DTensors)")

    # -- what check_module reads ----------------------------------------------------------------------
    def stats(self, name: str) -> GroupStats:
        return self._stats[name]

    def unwritten(self, name: str) -> tuple[int, str | None]:
        """Never-written elements over the ranks, and where this rank's storage was created (None if nowhere)."""
        count = self._unwritten[name]
        return count, (self._sites[name] or "(on another rank)") if count else None

    def findings(self, name: str, findings: list[Finding]) -> list[Finding]:
        """``findings`` with the ranks they come from, then this module's own rank findings."""
        unwritten, nonfinite, replicated = self._attribution[name]
        for finding in findings:
            per_rank = {CheckId.UNINITIALIZED: unwritten, CheckId.NON_FINITE: nonfinite}.get(finding.check)
            if per_rank is not None and self.world > 1:
                finding.measured += f" ({self._where(per_rank, self._stats[name].numel, replicated)})"
        return findings + self._findings[name]

    @staticmethod
    def _where(per_rank: list[int], numel: int, replicated: bool) -> str:
        ranks = [rank for rank, count in enumerate(per_rank) if count]
        if replicated:
            return f"on {_ranks(ranks)}"
        return f"on {_ranks(ranks)}: {100 * sum(per_rank) / max(numel, 1):.0f} % of elements"
