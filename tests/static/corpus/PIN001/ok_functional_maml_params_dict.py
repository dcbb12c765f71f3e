from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


def conv_block_params(in_ch, out_ch, prefix):
    w = torch.empty(out_ch, in_ch, 3, 3)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    return {
        f"{prefix}.weight": nn.Parameter(w),
        f"{prefix}.bias": nn.Parameter(torch.zeros(out_ch)),
    }


class FunctionalConvNet(nn.Module):
    """MAML learner: forward takes an explicit parameter dict so inner loops can adapt it."""

    def __init__(self, n_way, hidden=64):
        super().__init__()
        params = OrderedDict()
        for i, (cin, cout) in enumerate([(3, hidden), (hidden, hidden), (hidden, hidden), (hidden, hidden)]):
            params.update(conv_block_params(cin, cout, f"conv{i}"))
        params["head.weight"] = nn.Parameter(torch.empty(n_way, hidden))
        params["head.bias"] = nn.Parameter(torch.zeros(n_way))
        nn.init.xavier_uniform_(params["head.weight"])
        self.params = nn.ParameterDict({k.replace(".", "_"): v for k, v in params.items()})

    def forward(self, x, params=None):
        params = params if params is not None else dict(self.params)
        for i in range(4):
            x = F.conv2d(x, params[f"conv{i}_weight"], params[f"conv{i}_bias"], padding=1)
            x = F.max_pool2d(F.relu(F.batch_norm(x, None, None, training=True)), 2)
        return F.linear(x.mean(dim=(2, 3)), params["head_weight"], params["head_bias"])
