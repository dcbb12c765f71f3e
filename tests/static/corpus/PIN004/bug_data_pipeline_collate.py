import numpy as np
import torch
from torch import LongTensor, FloatTensor


def collate(batch):
    tokens = [item["input_ids"] for item in batch]
    labels = [item["label"] for item in batch]
    lengths = LongTensor([len(t) for t in tokens])  # expect: PIN004
    padded = np.zeros((len(tokens), int(lengths.max())), dtype=np.int64)
    for i, t in enumerate(tokens):
        padded[i, : len(t)] = t
    return {
        "input_ids": torch.LongTensor(padded),  # expect: PIN004
        "labels": FloatTensor(labels),  # expect: PIN004
        "lengths": lengths,
    }


def class_weights(counts):
    inv = 1.0 / np.asarray(counts, dtype=np.float64)
    return torch.DoubleTensor(inv / inv.sum())  # expect: PIN004
