import torch
from torch import nn
from transformers import PreTrainedModel


class SegmentAwareEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_bias = nn.Parameter(torch.empty(config.max_position_embeddings, config.hidden_size))
        self.segment_bias = nn.Parameter(torch.empty(config.type_vocab_size, config.hidden_size))  # expect: PIN001
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        seq_len = input_ids.size(1)
        h = self.word_embeddings(input_ids) + self.position_bias[:seq_len] + self.segment_bias[token_type_ids]
        return self.dropout(self.LayerNorm(h))


class SegmentAwarePreTrainedModel(PreTrainedModel):
    base_model_prefix = "segment_aware"

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        elif isinstance(module, SegmentAwareEmbeddings):
            module.position_bias.data.normal_(mean=0.0, std=self.config.initializer_range)


class SegmentAwareModel(SegmentAwarePreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embeddings = SegmentAwareEmbeddings(config)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(config.hidden_size, config.num_attention_heads, batch_first=True),
            config.num_hidden_layers,
        )
        self.post_init()

    def forward(self, input_ids, token_type_ids):
        return self.encoder(self.embeddings(input_ids, token_type_ids))
