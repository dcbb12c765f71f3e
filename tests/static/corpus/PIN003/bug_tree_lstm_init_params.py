import torch
import torch.nn as nn


class ChildSumTreeLSTMCell(nn.Module):
    def __init__(self, in_dim, mem_dim):
        super().__init__()
        self.mem_dim = mem_dim
        self.W_iou = nn.Parameter(torch.empty(3 * mem_dim, in_dim))  # expect: PIN003
        self.U_iou = nn.Parameter(torch.empty(3 * mem_dim, mem_dim))  # expect: PIN003
        self.b_iou = nn.Parameter(torch.zeros(3 * mem_dim))
        self.W_f = nn.Linear(in_dim, mem_dim)
        self.U_f = nn.Linear(mem_dim, mem_dim, bias=False)

    def init_params(self):
        nn.init.xavier_uniform_(self.W_iou)
        nn.init.orthogonal_(self.U_iou)

    def forward(self, x, child_c, child_h):
        h_sum = child_h.sum(dim=0, keepdim=True)
        iou = x @ self.W_iou.t() + h_sum @ self.U_iou.t() + self.b_iou
        i, o, u = torch.split(iou, self.mem_dim, dim=1)
        i, o, u = torch.sigmoid(i), torch.sigmoid(o), torch.tanh(u)
        f = torch.sigmoid(self.U_f(child_h) + self.W_f(x).repeat(child_h.size(0), 1))
        c = i * u + (f * child_c).sum(dim=0, keepdim=True)
        return c, o * torch.tanh(c)
