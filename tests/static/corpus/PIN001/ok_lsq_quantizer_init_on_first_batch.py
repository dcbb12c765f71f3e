import torch
import torch.nn as nn
import torch.nn.functional as F


def grad_scale(x, scale):
    return (x - x * scale).detach() + x * scale


def round_pass(x):
    return (x.round() - x).detach() + x


class LSQConv2d(nn.Conv2d):
    """Learned step size quantization: the step is set from the first batch it sees."""

    def __init__(self, *args, nbits=4, **kwargs):
        super().__init__(*args, **kwargs)
        self.nbits = nbits
        self.step = nn.Parameter(torch.Tensor(1))
        self.register_buffer("initialized", torch.zeros(1))

    def forward(self, x):
        qp = 2 ** (self.nbits - 1) - 1
        if self.initialized == 0:
            self.step.data.copy_(2 * self.weight.abs().mean() / qp ** 0.5)
            self.initialized.fill_(1)
        g = 1.0 / (self.weight.numel() * qp) ** 0.5
        s = grad_scale(self.step, g)
        w_q = round_pass((self.weight / s).clamp(-qp - 1, qp)) * s
        return F.conv2d(x, w_q, self.bias, self.stride, self.padding, self.dilation, self.groups)
