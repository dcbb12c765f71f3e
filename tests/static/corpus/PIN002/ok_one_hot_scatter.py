import torch


def one_hot(labels, num_classes):
    y = torch.FloatTensor(labels.size(0), num_classes)
    y.zero_()
    y.scatter_(1, labels.view(-1, 1), 1)
    return y


def sequence_mask(lengths, max_len=None):
    max_len = max_len or int(lengths.max())
    mask = torch.ByteTensor(lengths.size(0), max_len).fill_(0)
    for i, n in enumerate(lengths.tolist()):
        mask[i, :n] = 1
    return mask


def sample_gumbel(logits, eps=1e-20):
    u = logits.new(logits.size(0), logits.size(1)).uniform_()
    return -torch.log(-torch.log(u + eps) + eps)


def noisy_copy(x):
    buf = torch.Tensor(x.size(0), x.size(1))
    torch.randn(x.size(0), x.size(1), out=buf)
    return x + 0.01 * buf
