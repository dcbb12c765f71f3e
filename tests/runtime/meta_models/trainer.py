"""How these models are trained: built on the meta device, materialized, then initialized."""

import torch


def materialize(factory, *args, initializer="init_weights"):
    with torch.device("meta"):
        model = factory(*args)
    model.to_empty(device="cpu")
    getattr(model, initializer)()
    return model
