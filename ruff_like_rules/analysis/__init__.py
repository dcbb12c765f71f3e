"""What one file's code does to its tensors, read from its libcst trees.

``index`` and ``collector``: one walk records the classes, functions and what each does
(cheap: no verdicts). ``storages``: the tensors that become parameters or buffers and the
factory behind each. ``flow``: whether some write reaches each storage (its verdict).
``usage``, ``shapes``, ``writes``: how a storage is used, how big it is, what a write reaches.
``registration``: what an ``nn.Module`` registers. Built lazily by ``engine.context``: a
rule pays for the layer it reads.
"""
