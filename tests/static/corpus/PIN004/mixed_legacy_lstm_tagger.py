import torch
import torch.nn as nn


class CRF(nn.Module):
    """Linear-chain CRF: transitions[i, j] scores moving from tag j to tag i."""

    def __init__(self, tag_to_ix, start_tag="<START>", stop_tag="<STOP>"):
        super().__init__()
        self.tag_to_ix = tag_to_ix
        self.tagset_size = len(tag_to_ix)
        self.transitions = nn.Parameter(torch.randn(self.tagset_size, self.tagset_size))
        self.transitions.data[tag_to_ix[start_tag], :] = -10000
        self.transitions.data[:, tag_to_ix[stop_tag]] = -10000
        self.start = tag_to_ix[start_tag]
        self.stop = tag_to_ix[stop_tag]

    def score_sentence(self, feats, tags):
        score = torch.zeros(1)
        tags = torch.cat([torch.LongTensor([self.start]), tags])  # expect: PIN004
        for i, feat in enumerate(feats):
            score = score + self.transitions[tags[i + 1], tags[i]] + feat[tags[i + 1]]
        return score + self.transitions[self.stop, tags[-1]]

    def forward_alg(self, feats):
        init_alphas = torch.full((1, self.tagset_size), -10000.0)
        init_alphas[0][self.start] = 0.0
        forward_var = init_alphas
        for feat in feats:
            scores = forward_var + self.transitions + feat.view(-1, 1)
            forward_var = torch.logsumexp(scores, dim=1).view(1, -1)
        return torch.logsumexp(forward_var + self.transitions[self.stop], dim=1)


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size, tag_to_ix, embedding_dim, hidden_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim // 2, bidirectional=True)
        self.hidden2tag = nn.Linear(hidden_dim, len(tag_to_ix))
        self.crf = CRF(tag_to_ix)
        self.h0 = nn.Parameter(torch.Tensor(2, 1, hidden_dim // 2))  # expect: PIN001
        self.c0 = nn.Parameter(torch.Tensor(2, 1, hidden_dim // 2).zero_())

    def neg_log_likelihood(self, sentence, tags):
        lstm_out, _ = self.lstm(self.embed(sentence).view(len(sentence), 1, -1), (self.h0, self.c0))
        feats = self.hidden2tag(lstm_out.view(len(sentence), self.hidden_dim))
        return self.crf.forward_alg(feats) - self.crf.score_sentence(feats, tags)
