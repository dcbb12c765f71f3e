"""The text patterns the prefilter and the rules' triggers match before anything is parsed."""

from __future__ import annotations

import re

# What makes a tensor a parameter or buffer; rules about storages need it near their factory.
WRAPS = re.compile(r"Parameter|register_(?:buffer|parameter)|Buffer\s*\(")
# Factories of uninitialized memory.
RAW_MEMORY = re.compile(r"Tensor\s*\(|empty(?:_like|_strided)?\s*\(|\.new\s*\(")
