import torch


def build_batch(samples, device_is_cuda):
    mask_list = [s["mask"] for s in samples]
    weights = [s.get("weight", 1.0) for s in samples]
    mask = torch.ByteTensor(mask_list)  # expect: PIN004
    w = torch.FloatTensor(weights)  # expect: PIN004
    eye = torch.cuda.FloatTensor([[1.0, 0.0], [0.0, 1.0]]) if device_is_cuda else torch.eye(2)  # expect: PIN004
    return mask.bool(), w, eye
