import torch
import torch.nn as nn


class CharRNN(nn.Module):
    def __init__(self, vocab_size, hidden_size, n_layers=2):
        super().__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.rnn = nn.GRU(hidden_size, hidden_size, n_layers, batch_first=True)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens):
        batch_size = tokens.size(0)
        hidden = torch.cuda.FloatTensor(self.n_layers, batch_size, self.hidden_size)  # expect: PIN002
        output, hidden = self.rnn(self.embed(tokens), hidden)
        return self.decoder(output), hidden
