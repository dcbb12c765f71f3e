import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable

cuda = torch.cuda.is_available()
latent_dim, n_classes = 100, 10


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(nn.Linear(latent_dim + n_classes, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())

    def forward(self, noise, labels):
        return self.model(torch.cat((self.label_emb(labels), noise), -1)).view(-1, 1, 28, 28)


generator = Generator()
adversarial_loss = torch.nn.MSELoss()
FloatTensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor
LongTensor = torch.cuda.LongTensor if cuda else torch.LongTensor


def train_step(imgs, labels, discriminator):
    batch_size = imgs.shape[0]
    valid = Variable(FloatTensor(batch_size, 1).fill_(1.0), requires_grad=False)
    fake = Variable(FloatTensor(batch_size, 1).fill_(0.0), requires_grad=False)
    real_imgs = Variable(imgs.type(FloatTensor))
    z = Variable(FloatTensor(np.random.normal(0, 1, (batch_size, latent_dim))))  # expect: PIN004
    gen_labels = Variable(LongTensor(np.random.randint(0, n_classes, batch_size)))  # expect: PIN004
    gen_imgs = generator(z, gen_labels)
    g_loss = adversarial_loss(discriminator(gen_imgs, gen_labels), valid)
    d_loss = adversarial_loss(discriminator(real_imgs, labels), valid) + adversarial_loss(
        discriminator(gen_imgs.detach(), gen_labels), fake
    )
    return g_loss, d_loss
