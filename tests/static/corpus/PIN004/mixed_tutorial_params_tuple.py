import torch
from torch import nn

n_in, n_out = 784, 10
W, b = nn.Parameter(torch.Tensor(n_in, n_out)), nn.Parameter(torch.Tensor([0.0] * n_out))  # expect: PIN001, PIN004


def model(xb):
    return (xb @ W + b).log_softmax(-1)


def fit(loader, lr=0.5, epochs=2):
    for _ in range(epochs):
        for xb, yb in loader:
            loss = nn.functional.nll_loss(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in (W, b):
                    p -= p.grad * lr
                    p.grad.zero_()
