import torch
import torch.nn as nn
import torch.nn.functional as F


class WSConv2d(nn.Module):
    """Weight-standardised convolution (Qiao et al., 2019)."""

    def __init__(self, in_ch, out_ch, kernel_size, stride=1, padding=0):
        super().__init__()
        self.stride = stride
        self.padding = padding
        self.weight = nn.Parameter(torch.empty(out_ch, in_ch, kernel_size, kernel_size))

    def forward(self, x):
        w = self.weight
        mean = w.mean(dim=(1, 2, 3), keepdim=True)
        std = w.std(dim=(1, 2, 3), keepdim=True) + 1e-5
        return F.conv2d(x, (w - mean) / std, None, self.stride, self.padding)


class BasicBlock(nn.Module):
    def __init__(self, in_ch, out_ch, stride=1):
        super().__init__()
        self.conv1 = WSConv2d(in_ch, out_ch, 3, stride, 1)
        self.gn1 = nn.GroupNorm(32, out_ch)
        self.conv2 = WSConv2d(out_ch, out_ch, 3, 1, 1)
        self.gn2 = nn.GroupNorm(32, out_ch)
        self.shortcut = nn.Identity() if stride == 1 and in_ch == out_ch else WSConv2d(in_ch, out_ch, 1, stride)

    def forward(self, x):
        out = F.relu(self.gn1(self.conv1(x)))
        return F.relu(self.gn2(self.conv2(out)) + self.shortcut(x))


class ResNetGN(nn.Module):
    def __init__(self, num_classes=10, widths=(64, 128, 256)):
        super().__init__()
        self.stem = WSConv2d(3, widths[0], 3, 1, 1)
        layers = []
        in_ch = widths[0]
        for i, w in enumerate(widths):
            layers.append(BasicBlock(in_ch, w, stride=1 if i == 0 else 2))
            in_ch = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(in_ch, num_classes)
        for m in self.modules():
            if isinstance(m, WSConv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.GroupNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
