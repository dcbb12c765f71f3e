"""The scale bands (``docs/scale-band.md``) and how far the std of a small sample may stray from them.

A weight's std is measured on its elements, a sample of what its initializer draws from.  Over many
elements the measurement is exact enough; over few it is not: the std of 3 draws from N(0, σ²) falls
below σ/1000 about once in a million times.  The sample std s of n draws satisfies
(n-1)·s²/σ² ~ χ²(n-1).  Each band already holds the correct inits measured (``CORRECT_*``) with a
margin of 3-4× on either side; it is widened only as far as the χ quantiles at ``ALPHA`` carry those
correct values, so large tensors keep the band as it is and an initializer whose true std is correct
fails with probability below ``ALPHA`` whatever the size of the tensor.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

# std * sqrt(fan_in) of a weight that multiplies inputs, and the extremes of correct inits measured
WEIGHT_BAND = (0.01, 8.0)
CORRECT_WEIGHT = (0.04, 2.83)  # GPT-2's scaled residual at width 16; a fan-out-mode ResNet 1×1 conv
# std of an embedding table, learned position or token, and the extremes of correct inits measured
EMBEDDING_BAND = (1e-3, 4.0)
CORRECT_EMBEDDING = (0.0176, 1.0)  # timm's trunc_normal_(std=.02); nn.Embedding's N(0, 1)
# a std the code asked for explicitly is honoured down to float32 resolution: an output (std·√fan_in, or a
# table's std) below it is lost against any term of size ~1 it is added to (a residual, LayerNorm's eps)
RESOLUTION = float(torch.finfo(torch.float32).eps)
# gain · 1/√fan of the standard initializers (torch.nn.init.calculate_gain: linear 1, relu √2, tanh 5/3, selu 3/4)
GAIN_BAND = (0.5, 2.0)
ALPHA = 1e-6  # chance that a correct init falls outside its widened band
_EXACT_BELOW = 4096  # larger samples use the normal approximation of the χ quantile


def _chi2_quantile(dof: int, p: float) -> float:
    """Bisection on the χ² CDF, ``gammainc(dof/2, x/2)`` on 0-dim float64 tensors (the half-dof tensor made once:
    the first build that meets a new small size pays 160 of these)."""
    low, high = 0.0, dof + 40.0 * math.sqrt(2.0 * dof) + 40.0
    half = torch.tensor(dof / 2, dtype=torch.float64)
    gammainc, tensor, float64 = torch.special.gammainc, torch.tensor, torch.float64
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if float(gammainc(half, tensor(middle / 2, dtype=float64))) < p else (low, middle)
    return (low + high) / 2


@lru_cache(maxsize=None)
def sample_factors(count: int) -> tuple[float, float]:
    """(low, high): the range of s/σ for the std s of ``count`` draws, outside which lies ``ALPHA``."""
    dof = count - 1
    if dof < 1:
        return 0.0, math.inf
    if dof >= _EXACT_BELOW:
        z = 4.9  # the normal quantile of ALPHA / 2
        spread = z / math.sqrt(2.0 * dof)
        return max(1.0 - spread, 0.0), 1.0 + spread
    return (math.sqrt(_chi2_quantile(dof, ALPHA / 2) / dof), math.sqrt(_chi2_quantile(dof, 1 - ALPHA / 2) / dof))


def widened(band: tuple[float, float], correct: tuple[float, float], count: int) -> tuple[float, float]:
    """``band``, widened where the std of ``count`` draws from a ``correct`` init may fall outside it."""
    low, high = sample_factors(count)
    return min(band[0], correct[0] * low), max(band[1], correct[1] * high)
