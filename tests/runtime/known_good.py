"""Correctly initialized modules that must give zero findings: torch.nn layers with typical arguments
and transformers models built from small configs (nothing downloaded)."""

from __future__ import annotations

from torch import nn

TORCH_LAYERS = {
    "Linear": (nn.Linear, (64, 32), {}),
    "Linear-wide": (nn.Linear, (4096, 1024), {}),
    "Bilinear": (nn.Bilinear, (16, 24, 8), {}),
    "Conv1d": (nn.Conv1d, (16, 32, 3), {}),
    "Conv2d": (nn.Conv2d, (3, 64, 7), {"stride": 2}),
    "Conv2d-depthwise": (nn.Conv2d, (64, 64, 3), {"groups": 64}),
    "Conv3d": (nn.Conv3d, (8, 16, 3), {}),
    "ConvTranspose1d": (nn.ConvTranspose1d, (32, 16, 4), {}),
    "ConvTranspose2d": (nn.ConvTranspose2d, (64, 32, 4), {"stride": 2}),
    "ConvTranspose3d": (nn.ConvTranspose3d, (16, 8, 3), {}),
    "Embedding": (nn.Embedding, (1000, 64), {"padding_idx": 0}),
    "EmbeddingBag": (nn.EmbeddingBag, (1000, 64), {}),
    "LayerNorm": (nn.LayerNorm, (64,), {}),
    "RMSNorm": (nn.RMSNorm, (64,), {}),
    "GroupNorm": (nn.GroupNorm, (8, 64), {}),
    "BatchNorm1d": (nn.BatchNorm1d, (64,), {}),
    "BatchNorm2d": (nn.BatchNorm2d, (64,), {}),
    "BatchNorm3d": (nn.BatchNorm3d, (16,), {}),
    "InstanceNorm2d": (nn.InstanceNorm2d, (16,), {"affine": True}),
    "RNN": (nn.RNN, (32, 64), {"num_layers": 2}),
    "LSTM": (nn.LSTM, (32, 64), {"num_layers": 2, "bidirectional": True}),
    "LSTM-proj": (nn.LSTM, (32, 64), {"proj_size": 16}),
    "GRU": (nn.GRU, (32, 64), {}),
    "MultiheadAttention": (nn.MultiheadAttention, (64, 4), {}),
    "MultiheadAttention-kdim": (nn.MultiheadAttention, (64, 4), {"kdim": 32, "vdim": 48, "add_bias_kv": True}),
    "TransformerEncoderLayer": (nn.TransformerEncoderLayer, (64, 4), {"dim_feedforward": 256}),
    "TransformerDecoderLayer": (nn.TransformerDecoderLayer, (64, 4), {"dim_feedforward": 256}),
    "Transformer": (nn.Transformer, (), {"d_model": 64, "nhead": 4, "num_encoder_layers": 2,
                                         "num_decoder_layers": 2, "dim_feedforward": 128}),
    "PReLU": (nn.PReLU, (), {}),
    "PReLU-channels": (nn.PReLU, (64,), {}),
}


def transformers_models():
    """(name, factory) of small randomly initialized transformers models."""
    import transformers as t

    return {
        "bert": lambda: t.BertModel(t.BertConfig(vocab_size=512, hidden_size=64, num_hidden_layers=2,
                                                 num_attention_heads=4, intermediate_size=128)),
        "gpt2": lambda: t.GPT2LMHeadModel(t.GPT2Config(vocab_size=512, n_embd=64, n_layer=2, n_head=4)),
        "gpt2-deep": lambda: t.GPT2LMHeadModel(t.GPT2Config(vocab_size=512, n_embd=256, n_layer=24, n_head=4)),
        "llama": lambda: t.LlamaForCausalLM(t.LlamaConfig(vocab_size=512, hidden_size=64, intermediate_size=128,
                                                          num_hidden_layers=2, num_attention_heads=4,
                                                          num_key_value_heads=2)),
        "llama-wide": lambda: t.LlamaModel(t.LlamaConfig(vocab_size=256, hidden_size=1024, intermediate_size=4096,
                                                        num_hidden_layers=1, num_attention_heads=8)),
        "t5": lambda: t.T5ForConditionalGeneration(t.T5Config(vocab_size=512, d_model=64, d_kv=16, d_ff=128,
                                                              num_layers=2, num_heads=4)),
        "vit": lambda: t.ViTModel(t.ViTConfig(image_size=32, patch_size=8, hidden_size=64, num_hidden_layers=2,
                                              num_attention_heads=4, intermediate_size=128)),
    }


def transformers_deliberate():
    """(name, (factory, note kinds)) of small transformers models whose zero inits are deliberate."""
    import transformers as t

    swin = t.SwinConfig(image_size=32, patch_size=4, embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=4)
    resnet = dict(model_type="resnet", embedding_size=8, hidden_sizes=[8, 16, 32, 64], depths=[1, 1, 1, 1],
                  out_features=["stage2", "stage3", "stage4"])
    detr = t.DeformableDetrConfig(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                                  decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, num_queries=10,
                                  use_timm_backbone=False, backbone_config=resnet, num_feature_levels=3)
    return {
        # relative position bias tables: zeros, gathered by relative index and added to the logits
        "swin": (lambda: t.SwinModel(swin), {"constant table"}),
        # sampling offsets and attention weights: constant_(0); the sampling grid lives in the bias
        "deformable-detr": (lambda: t.DeformableDetrModel(detr), {"zero weight"}),
    }


def blip2_config():
    """A tiny BLIP-2: its query tokens start as zeros and its vision tower's default initializer_range is 1e-10."""
    import transformers as t

    return t.Blip2Config(
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                           image_size=32, patch_size=8),
        qformer_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                            encoder_hidden_size=32, vocab_size=100),
        text_config=dict(model_type="opt", hidden_size=32, ffn_dim=64, num_hidden_layers=1, num_attention_heads=2,
                         vocab_size=100, word_embed_proj_dim=32),
        num_query_tokens=8)
