"""Sequence-to-sequence training script: every parameter drawn from U(-0.08, 0.08) (Sutskever et al.)."""
import torch
import torch.nn as nn


class Seq2SeqAttention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.W_a = nn.Parameter(torch.Tensor(hidden, hidden))
        self.v_a = nn.Parameter(torch.Tensor(hidden))

    def forward(self, dec_h, enc_out):
        scores = torch.tanh(enc_out @ self.W_a + dec_h.unsqueeze(1)) @ self.v_a
        weights = torch.softmax(scores, dim=1)
        return (weights.unsqueeze(-1) * enc_out).sum(dim=1)


class Seq2Seq(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.encoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.decoder = nn.LSTMCell(2 * hidden, hidden)
        self.attn = Seq2SeqAttention(hidden)
        self.out = nn.Linear(hidden, vocab)


model = Seq2Seq(vocab=32000, hidden=512)
for p in model.parameters():
    p.data.uniform_(-0.08, 0.08)
optimizer = torch.optim.SGD(model.parameters(), lr=0.7)
