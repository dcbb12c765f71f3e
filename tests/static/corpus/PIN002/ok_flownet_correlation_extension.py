import correlation_cuda
import torch
from torch.autograd import Function
from torch.nn.modules.module import Module


class CorrelationFunction(Function):
    @staticmethod
    def forward(ctx, input1, input2, pad_size=4, kernel_size=1, max_displacement=4, stride1=1, stride2=1):
        ctx.save_for_backward(input1, input2)
        ctx.params = (pad_size, kernel_size, max_displacement, stride1, stride2)
        with torch.cuda.device_of(input1):
            rbot1 = input1.new()
            rbot2 = input2.new()
            output = input1.new()
            correlation_cuda.forward(input1, input2, rbot1, rbot2, output, *ctx.params, 1)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input1, input2 = ctx.saved_tensors
        with torch.cuda.device_of(input1):
            rbot1 = input1.new()
            rbot2 = input2.new()
            grad_input1 = input1.new(input1.size())
            grad_input2 = input2.new(input2.size())
            correlation_cuda.backward(input1, input2, rbot1, rbot2, grad_output, grad_input1, grad_input2, *ctx.params, 1)
        return grad_input1, grad_input2, None, None, None, None, None


class Correlation(Module):
    def __init__(self, pad_size=4, kernel_size=1, max_displacement=4, stride1=1, stride2=1):
        super().__init__()
        self.params = (pad_size, kernel_size, max_displacement, stride1, stride2)

    def forward(self, input1, input2):
        return CorrelationFunction.apply(input1.contiguous(), input2.contiguous(), *self.params)
