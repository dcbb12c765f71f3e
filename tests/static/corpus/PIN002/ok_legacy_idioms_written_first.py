import torch
from torch.autograd import Variable

SOS_token = 1


def decoder_start(batch_size, use_cuda=False):
    start = torch.LongTensor(batch_size).fill_(SOS_token)
    return Variable(start.cuda() if use_cuda else start)


def reparameterize(mu, logvar):
    std = logvar.mul(0.5).exp_()
    eps = torch.FloatTensor(std.size()).normal_()
    return Variable(eps).mul(std).add_(mu)


def uniform_weights(n):
    w = torch.Tensor(n)
    w[:] = 1.0 / n
    return w.log()


def sorted_scores(scores):
    values = torch.Tensor(scores.size(0))
    indices = torch.LongTensor(scores.size(0))
    torch.sort(scores, descending=True, out=(values, indices))
    return values.cumsum(0), indices


def gpu_noise(b, c, h, w):
    return torch.cuda.FloatTensor(b, c, h, w).normal_(0, 1) * 0.1
