import torch
import torch.nn as nn


class PrimaryCaps(nn.Module):
    def __init__(self, in_channels, num_caps, caps_dim, kernel_size=9, stride=2):
        super().__init__()
        self.caps_dim = caps_dim
        self.conv = nn.Conv2d(in_channels, num_caps * caps_dim, kernel_size, stride)

    def forward(self, x):
        u = self.conv(x)
        return u.view(x.size(0), -1, self.caps_dim)


class ClassCaps(nn.Module):
    def __init__(self, num_routes, in_dim, num_classes, out_dim):
        super().__init__()
        self.W = nn.Parameter(torch.empty(num_routes, num_classes, out_dim, in_dim))

    def forward(self, u):
        return torch.einsum("rcoi,bri->brco", self.W, u)


def init_capsnet(m):
    if isinstance(m, ClassCaps):
        nn.init.normal_(m.W, std=0.01)
    elif isinstance(m, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight)
        nn.init.zeros_(m.bias)


class CapsNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 256, 9)
        self.primary = PrimaryCaps(256, 32, 8)
        self.digits = ClassCaps(32 * 6 * 6, 8, num_classes, 16)
        self.apply(init_capsnet)

    def forward(self, x):
        v = self.digits(self.primary(torch.relu(self.conv1(x))))
        return v.sum(dim=1).norm(dim=-1)
