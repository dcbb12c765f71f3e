import numpy as np
import torch


def collate(batch):
    tokens = [item["input_ids"] for item in batch]
    lengths = torch.tensor([len(t) for t in tokens], dtype=torch.long)
    padded = torch.full((len(tokens), int(lengths.max())), 0, dtype=torch.long)
    for i, t in enumerate(tokens):
        padded[i, : len(t)] = torch.as_tensor(t)
    labels = torch.from_numpy(np.array([item["label"] for item in batch], dtype=np.float32))
    return {"input_ids": padded, "labels": labels, "lengths": lengths}


class RunningStats:
    def __init__(self, dim):
        self.count = torch.tensor(0.0)
        self.mean = torch.zeros(dim)
        self.m2 = torch.zeros(dim)
        self.empty_marker = torch.Tensor()

    def update(self, x):
        self.count += x.size(0)
        delta = x.mean(0) - self.mean
        self.mean += delta * x.size(0) / self.count
        self.m2 += ((x - self.mean) ** 2).sum(0)
