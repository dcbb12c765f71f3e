# Expected no finding on both paths (make_model initializes every parameter of the model it builds —
# the Annotated Transformer's make_model does exactly this).
# Full path: nothing. Fast path: PIN001 on line 18.
# Why: prefilter.select_chunks drops the top-level function make_model although it names the triggered
# class FeedForward (it calls it) and loops over model.parameters() with a writer: top-level
# functions are kept only when called by name from kept code or when they subclass / isinstance-check
# a triggered class. InitFlow on the full file records the loop's write as a foreign write to ALL.
# Suggest: keep top-level blocks that mention a triggered class AND a parameters()/modules()/apply loop
# or any writer (the same GENERIC_WRITE/WRITES tests used for methods).
import torch
import torch.nn as nn


class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff):
        super().__init__()
        self.w_1 = nn.Parameter(torch.Tensor(d_ff, d_model))


def make_model(d_model=512, d_ff=2048):
    model = FeedForward(d_model, d_ff)
    for p in model.parameters():
        nn.init.xavier_uniform_(p)
    return model
