import torch
from torch import nn


class OffloadedEmbedding(nn.Module):
    """Rows live in pinned host memory; each batch's rows are staged and copied to the device."""

    def __init__(self, num_embeddings, dim, max_batch_rows):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_embeddings, dim, pin_memory=torch.cuda.is_available()))
        nn.init.normal_(self.weight, std=dim ** -0.5)
        self.register_buffer("staging", torch.empty(max_batch_rows, dim), persistent=False)
        self.register_buffer("freqs", torch.empty(dim // 2), persistent=False)
        torch.exp(torch.arange(0, dim, 2).float() * (-9.2103 / dim), out=self.freqs)

    def forward(self, ids):
        rows = self.staging[: ids.numel()]
        torch.index_select(self.weight.detach(), 0, ids.view(-1).cpu(), out=rows)
        return rows.to(ids.device, non_blocking=True).view(*ids.shape, -1)
