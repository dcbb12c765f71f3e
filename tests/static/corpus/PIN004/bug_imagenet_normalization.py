import torch
import torch.nn as nn
import torchvision.models as models


class PerceptualLoss(nn.Module):
    """VGG16 feature-matching loss; inputs are normalised with ImageNet statistics."""

    def __init__(self, layers=(3, 8, 15, 22)):
        super().__init__()
        vgg = models.vgg16(weights=models.VGG16_Weights.IMAGENET1K_V1).features.eval()
        for p in vgg.parameters():
            p.requires_grad_(False)
        self.vgg = vgg
        self.layers = set(layers)
        self.register_buffer("mean", torch.Tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))  # expect: PIN004
        self.register_buffer("std", torch.FloatTensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))  # expect: PIN004

    def forward(self, x, y):
        x = (x - self.mean) / self.std
        y = (y - self.mean) / self.std
        loss = x.new_zeros(())
        for i, layer in enumerate(self.vgg):
            x, y = layer(x), layer(y)
            if i in self.layers:
                loss = loss + nn.functional.l1_loss(x, y)
        return loss
