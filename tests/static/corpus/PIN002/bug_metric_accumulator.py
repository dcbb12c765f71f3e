import torch


def confusion_matrix(preds, targets, num_classes):
    matrix = torch.LongTensor(num_classes, num_classes)  # expect: PIN002
    for p, t in zip(preds.view(-1), targets.view(-1)):
        matrix[t.long(), p.long()] += 1
    return matrix


def per_class_accuracy(preds, targets, num_classes):
    correct = torch.FloatTensor(num_classes)  # expect: PIN002
    correct += torch.bincount(targets[preds == targets], minlength=num_classes).float()
    totals = torch.bincount(targets, minlength=num_classes).float()
    return correct / totals.clamp(min=1)
