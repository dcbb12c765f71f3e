import torch as th

batch, dim = 4, 16
noise = th.Tensor(batch, dim)  # expect: PIN002
print("noise stats", noise.mean().item(), noise.std().item())
mask = th.ByteTensor(batch, dim).fill_(1)
print(mask.sum())
