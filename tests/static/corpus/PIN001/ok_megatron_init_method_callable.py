import torch
import torch.nn.functional as F
from torch.nn.parameter import Parameter


def divide(numerator, denominator):
    assert numerator % denominator == 0, f"{numerator} is not divisible by {denominator}"
    return numerator // denominator


def _initialize_affine_weight(weight, init_method, partition_dim, stride=1):
    weight.model_parallel = True
    weight.partition_dim = partition_dim
    weight.partition_stride = stride
    with torch.random.fork_rng(devices=[]):
        init_method(weight)


class ColumnParallelLinear(torch.nn.Module):
    """Linear layer whose output dimension is split across tensor-parallel ranks."""

    def __init__(self, input_size, output_size, world_size, init_method, bias=True, stride=1, params_dtype=torch.float32):
        super().__init__()
        self.output_size_per_partition = divide(output_size, world_size)
        self.weight = Parameter(torch.empty(self.output_size_per_partition, input_size, dtype=params_dtype))
        _initialize_affine_weight(self.weight, init_method, partition_dim=0, stride=stride)
        if bias:
            self.bias = Parameter(torch.empty(self.output_size_per_partition, dtype=params_dtype))
            with torch.no_grad():
                self.bias.zero_()
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


def init_method_normal(sigma):
    def init_(tensor):
        return torch.nn.init.normal_(tensor, mean=0.0, std=sigma)

    return init_


class VocabParallelEmbedding(torch.nn.Module):
    def __init__(self, num_embeddings, embedding_dim, world_size, init_method=torch.nn.init.xavier_normal_):
        super().__init__()
        self.per_partition = divide(num_embeddings, world_size)
        self.weight = Parameter(torch.empty(self.per_partition, embedding_dim))
        init_method(self.weight)

    def forward(self, ids):
        return F.embedding(ids, self.weight)
