import numpy as np
import torch


def pad_sequences(seqs, pad_value=0):
    max_len = max(len(s) for s in seqs)
    out = torch.LongTensor(len(seqs), max_len)
    out.fill_(pad_value)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.as_tensor(s)
    return out


def stack_images(images, height, width):
    batch = torch.FloatTensor(len(images), 3, height, width)
    for i, img in enumerate(images):
        batch[i] = torch.from_numpy(np.asarray(img, dtype=np.float32)).permute(2, 0, 1)
    return batch


def ema_copy(src):
    dst = src.new(*src.shape)
    dst.copy_(src)
    return dst
