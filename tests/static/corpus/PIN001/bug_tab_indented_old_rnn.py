import torch
import torch.nn as nn


class OldStyleRNNCell(nn.Module):
	def __init__(self, input_size, hidden_size):
		super(OldStyleRNNCell, self).__init__()
		self.hidden_size = hidden_size
		self.i2h = nn.Parameter(torch.FloatTensor(input_size, hidden_size))
		self.h2h = nn.Parameter(torch.FloatTensor(hidden_size, hidden_size))  # expect: PIN001
		self.i2h.data.normal_(0, 0.01)

	def forward(self, x, h):
		return torch.tanh(x.mm(self.i2h) + h.mm(self.h2h))
