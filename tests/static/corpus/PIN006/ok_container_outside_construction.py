# paraminit-test: select=PIN005,PIN006,PIN105
from torch import nn

class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        self.trace = [nn.Identity()]
        return self.fc(x)
