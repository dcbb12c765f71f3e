import torch


def xavier_matrix(fan_in, fan_out):
    w = torch.Tensor(fan_in, fan_out)  # expect: PIN002
    w.data.mul_((2.0 / (fan_in + fan_out)) ** 0.5)
    return w


def orthogonal_matrix(n):
    q = torch.Tensor(n, n)
    torch.nn.init.orthogonal_(q)
    return q


def scaled_normal(n, d, std):
    w = torch.Tensor(n, d)
    w.data.normal_(0, std)
    return w
