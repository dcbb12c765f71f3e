# The fast path must find what the full parse finds when the only `import torch` sits in a
# block the rules do not need (a class body here). The analysis resolves names through the
# imports of the whole file, at any depth, so the prefilter keeps a dropped block's imports.
from torch.autograd import Variable


class Settings:
    import torch

    hidden = 16
    steps = 10


H = Settings.hidden
w = Variable(torch.Tensor(H), requires_grad=True)  # expect: PIN002
for step in range(Settings.steps):
    loss = (w * w).sum()
    loss.backward()
