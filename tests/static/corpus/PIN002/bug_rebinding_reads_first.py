import torch
import torch.nn.functional as F


def evaluate(model, loader, num_classes):
    model.eval()
    class_loss = torch.Tensor(num_classes)  # expect: PIN002
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            losses = F.cross_entropy(logits, labels, reduction="none")
            class_loss = class_loss + torch.bincount(labels, weights=losses, minlength=num_classes)
    return class_loss


def attention_mask(lengths, max_len):
    mask = torch.ByteTensor(lengths.size(0), max_len)  # expect: PIN002
    mask = mask.bool()
    return mask
