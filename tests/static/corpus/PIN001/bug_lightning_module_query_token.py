import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn


class AttentionPoolingClassifier(pl.LightningModule):
    def __init__(self, dim=256, num_classes=10, lr=3e-4):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(dim, 8, batch_first=True), num_layers=4)
        self.query = nn.Parameter(torch.Tensor(1, 1, dim))  # expect: PIN001
        self.attn = nn.MultiheadAttention(dim, 8, batch_first=True)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        h = self.encoder(x)
        pooled, _ = self.attn(self.query.expand(x.size(0), -1, -1), h, h)
        return self.head(pooled.squeeze(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
