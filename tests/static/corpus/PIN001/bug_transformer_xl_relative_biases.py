import torch
import torch.nn as nn
import torch.nn.functional as F


class RelPartialLearnableMultiHeadAttn(nn.Module):
    def __init__(self, n_head, d_model, d_head, dropout=0.0):
        super().__init__()
        self.n_head = n_head
        self.d_head = d_head
        self.qkv_net = nn.Linear(d_model, 3 * n_head * d_head, bias=False)
        self.r_net = nn.Linear(d_model, n_head * d_head, bias=False)
        self.o_net = nn.Linear(n_head * d_head, d_model, bias=False)
        self.r_w_bias = nn.Parameter(torch.Tensor(n_head, d_head))  # expect: PIN001
        self.r_r_bias = nn.Parameter(torch.Tensor(n_head, d_head))  # expect: PIN001
        self.drop = nn.Dropout(dropout)
        self.scale = 1 / d_head ** 0.5

    @staticmethod
    def _rel_shift(x):
        zero_pad = x.new_zeros((x.size(0), 1, *x.size()[2:]))
        x_padded = torch.cat([zero_pad, x], dim=1).view(x.size(1) + 1, x.size(0), *x.size()[2:])
        return x_padded[1:].view_as(x)

    def forward(self, w, r):
        qlen, bsz = w.size(0), w.size(1)
        q, k, v = torch.chunk(self.qkv_net(w), 3, dim=-1)
        q = q.view(qlen, bsz, self.n_head, self.d_head)
        k = k.view(qlen, bsz, self.n_head, self.d_head)
        v = v.view(qlen, bsz, self.n_head, self.d_head)
        r_k = self.r_net(r).view(r.size(0), self.n_head, self.d_head)
        ac = torch.einsum("ibnd,jbnd->ijbn", q + self.r_w_bias, k)
        bd = self._rel_shift(torch.einsum("ibnd,jnd->ijbn", q + self.r_r_bias, r_k))
        prob = self.drop(F.softmax((ac + bd) * self.scale, dim=1))
        out = torch.einsum("ijbn,jbnd->ibnd", prob, v).contiguous().view(qlen, bsz, -1)
        return w + self.o_net(out)
