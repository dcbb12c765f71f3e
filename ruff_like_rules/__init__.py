"""paraminit static analyzer: Ruff-style rules for uninitialized PyTorch parameters."""
