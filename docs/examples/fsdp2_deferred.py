"""The torchtitan-style flow under paraminit: meta build -> fully_shard -> to_empty -> init_weights -> check.

    torchrun --nproc_per_node 2 docs/examples/fsdp2_deferred.py

``init_weights`` forgets the output head on rank 1 only (as a rank-dependent branch in an initializer
does); every rank gets the same verdict, and rank 0 prints the report.
"""

import torch.distributed as dist
from torch import nn
from torch.distributed.fsdp import fully_shard

from pytest_paraminit import build_deferred_and_check


class Block(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.mlp = nn.Linear(dim, dim)


class Transformer(nn.Module):
    def __init__(self, dim: int = 64, depth: int = 2, vocab: int = 128) -> None:
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(Block(dim) for _ in range(depth))
        self.output = nn.Linear(dim, vocab, bias=False)

    def init_weights(self) -> None:
        nn.init.normal_(self.tok_embeddings.weight, std=0.02)
        for block in self.layers:
            block.norm.reset_parameters()
            block.mlp.reset_parameters()
        if dist.get_rank() == 0:  # the bug: only rank 0 initializes the head
            nn.init.trunc_normal_(self.output.weight, std=64 ** -0.5)


def shard(model: Transformer) -> None:
    for block in model.layers:
        fully_shard(block)
    fully_shard(model)


if __name__ == "__main__":
    dist.init_process_group("gloo")
    model, report = build_deferred_and_check(Transformer, initialize="init_weights", shard=shard)
    if dist.get_rank() == 0:
        print(report.render())
    dist.destroy_process_group()
    raise SystemExit(1 if report.failed else 0)
