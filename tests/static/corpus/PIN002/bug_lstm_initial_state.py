import torch
import torch.nn as nn
from torch.autograd import Variable


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim, num_layers=2):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, 1)

    def init_hidden(self, batch_size):
        h0 = Variable(torch.Tensor(self.num_layers, batch_size, self.hidden_dim))  # expect: PIN002
        c0 = Variable(torch.zeros(self.num_layers, batch_size, self.hidden_dim))
        return h0, c0

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x), self.init_hidden(x.size(0)))
        return torch.sigmoid(self.fc(out[:, -1]))
