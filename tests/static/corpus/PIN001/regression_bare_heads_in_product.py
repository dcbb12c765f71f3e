# The committed corpus file tests/static/corpus/PIN001/bug_pyg_message_passing_attention_forgotten.py now fails:
# line 22 'Parameter(torch.Tensor(heads * out_channels))' gets PIN004 'ambiguous'.
# Why: bare plural 'heads' is no longer a size (only prefixed plurals are), so the product
# heads * out_channels is not arithmetic of sizes. In PyG/GAT code 'heads * out_channels',
# 'heads * head_dim' and 'num_heads' are everywhere; a bare plural inside ARITHMETIC (or as a
# multiplier) is a count, never data. Suggest: in _arith_of_sizes, a bare name counts as a size.
# Expected on both paths: PIN001 on line 17 (nothing initializes self.att), no PIN004.
import torch
from torch import nn
from torch.nn import Parameter


class GATHead(nn.Module):
    def __init__(self, heads, out_channels):
        super().__init__()
        self.att = Parameter(torch.Tensor(1, heads, out_channels))  # expect: PIN001
        self.bias = Parameter(torch.Tensor(heads * out_channels))
        nn.init.zeros_(self.bias)
