# paraminit-test: select=PIN005,PIN006,PIN105
import torch
from torch.autograd import Variable
from torch import nn

class Old(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.h0 = Variable(torch.zeros(1, n), requires_grad=True)  # expect: PIN005
