# paraminit-test: select=PIN001,PIN102
import torch
import torch.nn as nn
import torch.nn.functional as F


class CapsuleLayer(nn.Module):
    def __init__(self, num_capsules, num_route_nodes, in_channels, out_channels, num_iterations=3):
        super().__init__()
        self.num_route_nodes = num_route_nodes
        self.num_iterations = num_iterations
        self.route_weights = nn.Parameter(torch.randn(num_capsules, num_route_nodes, in_channels, out_channels))  # expect: PIN102
        self.transform = nn.Parameter(torch.randn(in_channels, in_channels))  # expect: PIN102
        self.position = nn.Parameter(torch.randn(1, num_route_nodes, in_channels))

    @staticmethod
    def squash(tensor, dim=-1):
        squared_norm = (tensor ** 2).sum(dim=dim, keepdim=True)
        return squared_norm / (1 + squared_norm) * tensor / torch.sqrt(squared_norm)

    def forward(self, x):
        x = torch.matmul(x + self.position, self.transform)
        priors = x[None, :, :, None, :] @ self.route_weights[:, None, :, :, :]
        logits = torch.zeros_like(priors)
        for i in range(self.num_iterations):
            probs = F.softmax(logits, dim=2)
            outputs = self.squash((probs * priors).sum(dim=2, keepdim=True))
            if i != self.num_iterations - 1:
                logits = logits + (priors * outputs).sum(dim=-1, keepdim=True)
        return outputs
