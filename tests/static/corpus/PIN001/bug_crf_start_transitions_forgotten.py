import torch
import torch.nn as nn


class ConditionalRandomField(nn.Module):
    def __init__(self, num_tags, include_start_end_transitions=True):
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags))
        self.include_start_end_transitions = include_start_end_transitions
        if include_start_end_transitions:
            self.start_transitions = nn.Parameter(torch.empty(num_tags))  # expect: PIN001
            self.end_transitions = nn.Parameter(torch.empty(num_tags))  # expect: PIN001
        self.reset_parameters()

    def reset_parameters(self):
        torch.nn.init.xavier_normal_(self.transitions)

    def _log_partition(self, logits, mask):
        alpha = logits[:, 0]
        if self.include_start_end_transitions:
            alpha = alpha + self.start_transitions
        for t in range(1, logits.size(1)):
            scores = alpha.unsqueeze(2) + self.transitions + logits[:, t].unsqueeze(1)
            alpha = torch.where(mask[:, t : t + 1], torch.logsumexp(scores, dim=1), alpha)
        if self.include_start_end_transitions:
            alpha = alpha + self.end_transitions
        return torch.logsumexp(alpha, dim=-1)

    def forward(self, logits, tags, mask):
        gold = logits.gather(2, tags.unsqueeze(2)).squeeze(2).masked_fill(~mask, 0).sum(1)
        gold = gold + (self.transitions[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
        return (self._log_partition(logits, mask) - gold).mean()
