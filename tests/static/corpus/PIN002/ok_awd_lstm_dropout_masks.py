import torch
import torch.nn as nn


class LockedDropout(nn.Module):
    def forward(self, x, dropout=0.5):
        if not self.training or not dropout:
            return x
        m = x.data.new(1, x.size(1), x.size(2)).bernoulli_(1 - dropout)
        mask = m.requires_grad_(False) / (1 - dropout)
        return mask.expand_as(x) * x


def embedded_dropout(embed, words, dropout=0.1, scale=None):
    if dropout:
        mask = embed.weight.data.new().resize_((embed.weight.size(0), 1)).bernoulli_(1 - dropout)
        masked_embed_weight = mask.expand_as(embed.weight) / (1 - dropout) * embed.weight
    else:
        masked_embed_weight = embed.weight
    if scale:
        masked_embed_weight = scale.expand_as(masked_embed_weight) * masked_embed_weight
    return nn.functional.embedding(words, masked_embed_weight, embed.padding_idx, embed.max_norm)


def word_dropout(tokens, unk_idx, p=0.1):
    drop = tokens.new(tokens.size(0), tokens.size(1)).float().bernoulli_(p).bool()
    return tokens.masked_fill(drop, unk_idx)
