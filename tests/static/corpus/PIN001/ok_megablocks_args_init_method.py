import torch
import torch.nn.functional as F
from torch import nn


class Arguments:
    def __init__(self, hidden_size, ffn_hidden_size, moe_num_experts, init_method=None, device="cpu", fp16=False):
        self.hidden_size = hidden_size
        self.ffn_hidden_size = ffn_hidden_size
        self.moe_num_experts = moe_num_experts
        self.init_method = init_method or (lambda w: nn.init.normal_(w, mean=0.0, std=0.02))
        self.device = device
        self.fp16 = fp16


class GroupedMLP(nn.Module):
    """All experts' weights in two stacked matrices, initialized by the configured callable."""

    def __init__(self, args):
        super().__init__()
        self.args = args
        dtype = torch.float16 if args.fp16 else torch.float32
        rows = args.moe_num_experts * args.ffn_hidden_size
        self.w1 = nn.Parameter(torch.empty(rows, args.hidden_size, device=args.device, dtype=dtype))
        self.w2 = nn.Parameter(torch.empty(rows, args.hidden_size, device=args.device, dtype=dtype))
        with torch.no_grad():
            args.init_method(self.w1)
            args.init_method(self.w2)

    def forward(self, x, expert_idx):
        e = self.args.ffn_hidden_size
        w1 = self.w1[expert_idx * e : (expert_idx + 1) * e]
        w2 = self.w2[expert_idx * e : (expert_idx + 1) * e]
        return F.gelu(x @ w1.t()) @ w2
