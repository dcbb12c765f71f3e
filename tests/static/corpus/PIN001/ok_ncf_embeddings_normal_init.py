import torch
import torch.nn as nn


class NeuMF(nn.Module):
    """Neural matrix factorisation: GMF and MLP towers over user/item embeddings."""

    def __init__(self, num_users, num_items, factors=8, mlp_layers=(64, 32, 16)):
        super().__init__()
        self.user_gmf = nn.Parameter(torch.empty(num_users, factors))
        self.item_gmf = nn.Parameter(torch.empty(num_items, factors))
        self.user_mlp = nn.Parameter(torch.empty(num_users, mlp_layers[0] // 2))
        self.item_mlp = nn.Parameter(torch.empty(num_items, mlp_layers[0] // 2))
        self.mlp = nn.Sequential(*[nn.Sequential(nn.Linear(a, b), nn.ReLU()) for a, b in zip(mlp_layers[:-1], mlp_layers[1:])])
        self.predict = nn.Linear(factors + mlp_layers[-1], 1)
        self._init_weight_()

    def _init_weight_(self):
        for table in (self.user_gmf, self.item_gmf, self.user_mlp, self.item_mlp):
            nn.init.normal_(table, std=0.01)
        for m in self.mlp.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
        nn.init.kaiming_uniform_(self.predict.weight, a=1, nonlinearity="sigmoid")

    def forward(self, users, items):
        gmf = self.user_gmf[users] * self.item_gmf[items]
        mlp = self.mlp(torch.cat([self.user_mlp[users], self.item_mlp[items]], dim=-1))
        return self.predict(torch.cat([gmf, mlp], dim=-1)).squeeze(-1)
