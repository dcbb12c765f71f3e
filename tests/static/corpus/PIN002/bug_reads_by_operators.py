import torch


def active_clusters(assignments, k):
    counts = torch.IntTensor(k)  # expect: PIN002
    if (counts > 0).sum() == k:
        return counts
    return counts.index_add_(0, assignments, torch.ones_like(assignments, dtype=torch.int32))


def pad_to(x, length, pad_value=0.0):
    pad = x.new(x.size(0), length - x.size(1))  # expect: PIN002
    return torch.cat([x, pad], dim=1)


def negate_logits(n):
    return -torch.Tensor(n, n)  # expect: PIN002
