import torch as th
import torch.nn.functional as F


def squash(s, dim=-1):
    norm2 = (s ** 2).sum(dim=dim, keepdim=True)
    return norm2 / (1 + norm2) * s / th.sqrt(norm2 + 1e-8)


class DigitCaps(th.nn.Module):
    """Dynamic routing between capsules (Sabour et al., 2017)."""

    def __init__(self, num_capsules=10, num_routes=32 * 6 * 6, in_channels=8, out_channels=16, iterations=3):
        super().__init__()
        self.num_routes = num_routes
        self.num_capsules = num_capsules
        self.iterations = iterations
        self.W = th.nn.Parameter(th.empty(1, num_routes, num_capsules, out_channels, in_channels))  # expect: PIN001

    def forward(self, u):
        batch = u.size(0)
        u = th.stack([u] * self.num_capsules, dim=2).unsqueeze(4)
        W = th.cat([self.W] * batch, dim=0)
        u_hat = th.matmul(W, u)
        b_ij = u.new_zeros(1, self.num_routes, self.num_capsules, 1)
        for iteration in range(self.iterations):
            c_ij = F.softmax(b_ij, dim=1)
            c_ij = th.cat([c_ij] * batch, dim=0).unsqueeze(4)
            v_j = squash((c_ij * u_hat).sum(dim=1, keepdim=True))
            if iteration < self.iterations - 1:
                a_ij = th.matmul(u_hat.transpose(3, 4), th.cat([v_j] * self.num_routes, dim=1))
                b_ij = b_ij + a_ij.squeeze(4).mean(dim=0, keepdim=True)
        return v_j.squeeze(1)
