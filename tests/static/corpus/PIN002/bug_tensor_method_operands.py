import torch


def add_gaussian_noise(x, std=0.1):
    noise = torch.FloatTensor(x.size(0), x.size(1))  # expect: PIN002
    return x.add(noise.mul(std))


def project(x, dim_out):
    w = x.new(x.size(-1), dim_out)  # expect: PIN002
    return x.matmul(w)
