import torch
import torch.nn as nn
import torch.nn.functional as F


class SoftmaxRegression(nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.W = nn.Parameter(torch.Tensor(n_features, n_classes))  # expect: PIN001
        self.b = nn.Parameter(torch.zeros(n_classes))

    def forward(self, x):
        return x @ self.W + self.b


def train(model, loader, lr=0.1, epochs=5):
    for _ in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x.view(x.size(0), -1)), y)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad.zero_()
    return model
