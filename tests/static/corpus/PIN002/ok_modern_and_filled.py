import torch


def pad_to(x, length, pad_value=0.0):
    pad = x.new(x.size(0), length - x.size(1)).fill_(pad_value)
    return torch.cat([x, pad], dim=1)


def negative_samples(batch_size, num_items, k):
    return torch.LongTensor(batch_size, k).random_(0, num_items)


def dropout_mask(x, p):
    mask = x.new(*x.shape)
    mask.bernoulli_(1 - p)
    return x * mask / (1 - p)


def shape_only(x):
    probe = torch.Tensor(x.size(0), 4)
    return probe.size(0) == x.size(0) and probe.dim() == 2
