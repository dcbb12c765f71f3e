import math

import torch
from torch import nn


def gaussian_orthogonal_random_matrix(nb_rows, nb_columns, scaling=0):
    blocks = []
    for _ in range(math.ceil(nb_rows / nb_columns)):
        q, _ = torch.linalg.qr(torch.randn(nb_columns, nb_columns))
        blocks.append(q.t())
    matrix = torch.cat(blocks)[:nb_rows]
    if scaling == 0:
        multiplier = torch.randn(nb_rows, nb_columns).norm(dim=1)
    else:
        multiplier = math.sqrt(float(nb_columns)) * torch.ones(nb_rows)
    return torch.diag(multiplier) @ matrix


class FastAttention(nn.Module):
    """FAVOR+ attention; the random projection is redrawn periodically during training."""

    def __init__(self, dim_heads, nb_features=None):
        super().__init__()
        self.dim_heads = dim_heads
        self.nb_features = nb_features or int(dim_heads * math.log(dim_heads))
        self.register_buffer("projection_matrix", torch.empty(self.nb_features, dim_heads))
        self.redraw_projection_matrix()

    @torch.no_grad()
    def redraw_projection_matrix(self):
        self.projection_matrix.copy_(gaussian_orthogonal_random_matrix(self.nb_features, self.dim_heads))

    def softmax_kernel(self, data, is_query, eps=1e-4):
        data_normalizer = self.dim_heads ** -0.25
        data_dash = torch.einsum("...nd,md->...nm", data_normalizer * data, self.projection_matrix)
        diag = (data ** 2).sum(-1, keepdim=True) / 2.0 * data_normalizer ** 2
        stab = data_dash.amax(dim=-1, keepdim=True) if is_query else data_dash.amax()
        return self.nb_features ** -0.5 * (torch.exp(data_dash - diag - stab) + eps)

    def forward(self, q, k, v):
        q, k = self.softmax_kernel(q, True), self.softmax_kernel(k, False)
        context = torch.einsum("...nd,...ne->...de", k, v)
        normalizer = 1.0 / torch.einsum("...nd,...d->...n", q, k.sum(dim=-2))
        return torch.einsum("...de,...nd,...n->...ne", context, q, normalizer)
