import torch
from torch.autograd import Variable

dtype = torch.FloatTensor
N, D_in, H, D_out = 64, 1000, 100, 10
x = Variable(torch.randn(N, D_in).type(dtype), requires_grad=False)
y = Variable(torch.randn(N, D_out).type(dtype), requires_grad=False)
w1 = Variable(torch.Tensor(D_in, H).uniform_(-0.01, 0.01), requires_grad=True)
b1 = Variable(torch.Tensor(H), requires_grad=True)  # expect: PIN002
w2 = Variable(torch.randn(H, D_out).type(dtype), requires_grad=True)

for t in range(500):
    y_pred = (x.mm(w1) + b1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    for v in (w1, b1, w2):
        v.data -= 1e-6 * v.grad.data
        v.grad.data.zero_()
