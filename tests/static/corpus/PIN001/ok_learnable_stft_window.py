import torch
from torch import nn


class LearnableSTFT(nn.Module):
    def __init__(self, n_fft=512, hop_length=128):
        super().__init__()
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.window = nn.Parameter(torch.empty(n_fft))
        self.window.data.copy_(torch.hann_window(n_fft))
        self.register_buffer("mel_fb", torch.empty(80, n_fft // 2 + 1))
        self.mel_fb.copy_(torch.rand(80, n_fft // 2 + 1).softmax(dim=-1))

    def forward(self, audio):
        spec = torch.stft(audio, self.n_fft, self.hop_length, window=self.window, return_complex=True)
        return torch.log1p(self.mel_fb @ spec.abs().pow(2))
