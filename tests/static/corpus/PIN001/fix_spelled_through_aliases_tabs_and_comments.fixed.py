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
		self.reset_parameters()

	def reset_parameters(self):
		tnn.init.kaiming_uniform_(self.proj_weight, a=m.sqrt(5))
		fan_in, _ = tnn.init._calculate_fan_in_and_fan_out(self.proj_weight)
		bound = 1 / m.sqrt(fan_in) if fan_in > 0 else 0
		tnn.init.uniform_(self.proj_bias, -bound, bound)
		tnn.init.zeros_(self.offset)
		tnn.init.zeros_(self.steps)
