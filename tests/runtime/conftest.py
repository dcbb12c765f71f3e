"""In-process pytester runs drop every module first imported during the run, and torch registers
C++ operator libraries that cannot be imported twice.  Import the checker and run one watched build
here, so everything torch loads lazily is already in ``sys.modules`` before any pytester run."""

import torch._dynamo  # noqa: F401  (arithmetic on the meta device imports it lazily: torch._refs -> torch._compile)
from torch import nn

from pytest_paraminit import build_and_check, build_deferred_and_check
from pytest_paraminit import construction, plugin  # noqa: F401  (imported for the snapshot)

build_and_check(nn.Linear, 2, 2)
build_deferred_and_check(nn.Linear, 2, 2)
