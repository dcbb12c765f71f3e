"""DCGAN training loop in the style of the 2017 PyTorch examples."""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable

nz, ngf, ndf, batch_size, image_size = 100, 64, 64, 64, 64
real_label, fake_label = 1, 0

netG = nn.Sequential(
    nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
    nn.ConvTranspose2d(ngf * 8, 3, 4, 2, 1, bias=False), nn.Tanh(),
)
netD = nn.Sequential(nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(ndf, 1, 4, 1, 0, bias=False), nn.Sigmoid())
criterion = nn.BCELoss()

input = torch.FloatTensor(batch_size, 3, image_size, image_size)
noise = torch.FloatTensor(batch_size, nz, 1, 1)
fixed_noise = torch.FloatTensor(batch_size, nz, 1, 1).normal_(0, 1)
label = torch.FloatTensor(batch_size)

optimizerD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))


def train_epoch(dataloader):
    for data in dataloader:
        netD.zero_grad()
        real_cpu, _ = data
        b = real_cpu.size(0)
        input.resize_as_(real_cpu).copy_(real_cpu)
        label.resize_(b).fill_(real_label)
        inputv = Variable(input)
        labelv = Variable(label)
        errD_real = criterion(netD(inputv).view(-1), labelv)
        errD_real.backward()
        noise.resize_(b, nz, 1, 1).normal_(0, 1)
        fake = netG(Variable(noise))
        labelv = Variable(label.fill_(fake_label))
        errD_fake = criterion(netD(fake.detach()).view(-1), labelv)
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        labelv = Variable(label.fill_(real_label))
        errG = criterion(netD(fake).view(-1), labelv)
        errG.backward()
        optimizerG.step()
    return netG(Variable(fixed_noise))
