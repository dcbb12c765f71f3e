import torch
from torch import nn


class TransR(nn.Module):
    """Knowledge-graph embedding with one projection matrix per relation type."""

    def __init__(self, num_entities, relations, ent_dim, rel_dim, margin=1.0):
        super().__init__()
        self.margin = margin
        self.entities = nn.Embedding(num_entities, ent_dim)
        self.relations = nn.ParameterDict({r: nn.Parameter(torch.zeros(rel_dim)) for r in relations})
        self.projections = nn.ParameterDict(
            {r: nn.Parameter(torch.empty(ent_dim, rel_dim)) for r in relations}  # expect: PIN001
        )
        nn.init.xavier_uniform_(self.entities.weight)

    def score(self, head, rel, tail):
        m = self.projections[rel]
        h = self.entities(head) @ m
        t = self.entities(tail) @ m
        return (h + self.relations[rel] - t).norm(p=2, dim=-1)

    def forward(self, pos, neg, rel):
        return torch.relu(self.margin + self.score(*pos, rel) - self.score(*neg, rel)).mean()
