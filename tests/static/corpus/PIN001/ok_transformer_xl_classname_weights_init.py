import torch
import torch.nn as nn
import torch.nn.functional as F


class AdaptiveEmbedding(nn.Module):
    def __init__(self, n_token, d_embed, d_proj, cutoffs, div_val=4):
        super().__init__()
        self.cutoffs = cutoffs + [n_token]
        self.div_val = div_val
        self.d_proj = d_proj
        self.emb_scale = d_proj ** 0.5
        self.cutoff_ends = [0] + self.cutoffs
        self.emb_layers = nn.ModuleList()
        self.emb_projs = nn.ParameterList()
        for i in range(len(self.cutoffs)):
            l_idx, r_idx = self.cutoff_ends[i], self.cutoff_ends[i + 1]
            d_emb_i = d_embed // (div_val ** i)
            self.emb_layers.append(nn.Embedding(r_idx - l_idx, d_emb_i))
            self.emb_projs.append(nn.Parameter(torch.FloatTensor(d_proj, d_emb_i)))

    def forward(self, inp):
        flat = inp.view(-1)
        out = torch.zeros(flat.size(0), self.d_proj, device=inp.device)
        for i in range(len(self.cutoffs)):
            l_idx, r_idx = self.cutoff_ends[i], self.cutoff_ends[i + 1]
            mask = (flat >= l_idx) & (flat < r_idx)
            idx = mask.nonzero().squeeze(-1)
            if idx.numel() == 0:
                continue
            emb = self.emb_layers[i](flat.index_select(0, idx) - l_idx)
            out.index_copy_(0, idx, F.linear(emb, self.emb_projs[i]))
        return out.view(*inp.size(), self.d_proj).mul_(self.emb_scale)


class MemTransformerLM(nn.Module):
    def __init__(self, n_token, d_model, cutoffs, n_layer=4, n_head=8):
        super().__init__()
        self.word_emb = AdaptiveEmbedding(n_token, d_model, d_model, cutoffs)
        layer = nn.TransformerEncoderLayer(d_model, n_head, 4 * d_model, batch_first=True)
        self.layers = nn.TransformerEncoder(layer, n_layer)
        self.r_w_bias = nn.Parameter(torch.Tensor(n_head, d_model // n_head))
        self.out = nn.Linear(d_model, n_token)

    def forward(self, data):
        return self.out(self.layers(self.word_emb(data)))


def init_weight(weight, init="normal", init_range=0.1, init_std=0.02):
    if init == "uniform":
        nn.init.uniform_(weight, -init_range, init_range)
    elif init == "normal":
        nn.init.normal_(weight, 0.0, init_std)


def weights_init(m, proj_init_std=0.01):
    classname = m.__class__.__name__
    if classname.find("Linear") != -1:
        if hasattr(m, "weight") and m.weight is not None:
            init_weight(m.weight)
        if hasattr(m, "bias") and m.bias is not None:
            nn.init.constant_(m.bias, 0.0)
    elif classname.find("AdaptiveEmbedding") != -1:
        if hasattr(m, "emb_projs"):
            for i in range(len(m.emb_projs)):
                if m.emb_projs[i] is not None:
                    nn.init.normal_(m.emb_projs[i], 0.0, proj_init_std)
    elif classname.find("TransformerLM") != -1:
        if hasattr(m, "r_w_bias"):
            init_weight(m.r_w_bias)


model = MemTransformerLM(n_token=267735, d_model=410, cutoffs=[20000, 40000, 200000])
model.apply(weights_init)
