import json

import numpy as np
import torch
from torch.utils.data import Dataset


class TabularDataset(Dataset):
    def __init__(self, path):
        with open(path) as f:
            self.rows = [json.loads(line) for line in f]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        row = self.rows[idx]
        features = row["features"]
        token_ids = row["token_ids"]
        embeddings = np.load(row["embedding_path"])
        x = torch.FloatTensor(features)  # expect: PIN004
        ids = torch.LongTensor(token_ids)  # expect: PIN004
        emb = torch.Tensor(embeddings)  # expect: PIN004
        label = torch.LongTensor([row["label"]])  # expect: PIN004
        x = (x - x.mean()) / (x.std() + 1e-6)
        return x, ids * 1, emb.float(), label
