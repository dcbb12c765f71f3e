import torch
import torch.nn as nn

criterion = nn.BCELoss()


def discriminator_step(netD, netG, real, nz, optimizer):
    b = real.size(0)
    optimizer.zero_grad()
    real_labels = torch.FloatTensor(b).fill_(1.0)
    fake_labels = torch.FloatTensor(b)  # expect: PIN002
    loss_real = criterion(netD(real).view(-1), real_labels)
    noise = torch.FloatTensor(b, nz, 1, 1).normal_(0, 1)
    fake = netG(noise)
    loss_fake = criterion(netD(fake.detach()).view(-1), fake_labels)
    (loss_real + loss_fake).backward()
    optimizer.step()
    return loss_real.item(), loss_fake.item()


def smoothed_targets(b, smoothing=0.1):
    targets = torch.Tensor(b, 1)  # expect: PIN002
    return torch.clamp(targets, smoothing, 1 - smoothing)
