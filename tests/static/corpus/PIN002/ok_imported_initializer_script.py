"""Random-features regression, the numpy way but in torch."""
import torch

from rf_utils import gaussian_fill_, orthogonal_rows_

n_samples, d, n_features = 512, 32, 1024
X = torch.randn(n_samples, d)
y = torch.sin(X.sum(dim=1))

W = torch.Tensor(d, n_features)
gaussian_fill_(W, std=1.0 / d ** 0.5)
Q = torch.Tensor(n_features, n_features)
orthogonal_rows_(Q)
phi = torch.cos(X @ W) @ Q
theta = torch.linalg.lstsq(phi, y.unsqueeze(1)).solution
print("train mse", ((phi @ theta).squeeze(1) - y).pow(2).mean().item())
