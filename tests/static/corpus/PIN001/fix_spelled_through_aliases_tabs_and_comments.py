import math as m
import torch as th
import torch.nn as tnn


class Mix(tnn.Module):
	def __init__(self, config):
		super().__init__()
		# projection
		self.proj_weight = tnn.Parameter(th.empty(config.hidden_size, config.hidden_size))  # expect: PIN001
		self.proj_bias = tnn.Parameter(th.empty(config.hidden_size))  # keep me  # expect: PIN001
		self.offset = tnn.Parameter(th.empty(config.hidden_size))  # expect: PIN001
		self.register_buffer("steps", th.empty(1))  # expect: PIN001
