"""The rule registry: every rule class, in code order."""

from __future__ import annotations

from ruff_like_rules.rules.api import Rule
from ruff_like_rules.rules.pin001_uninitialized_parameter import UninitializedParameter
from ruff_like_rules.rules.pin002_uninitialized_legacy_constructor import UninitializedLegacyConstructor
from ruff_like_rules.rules.pin003_initializer_not_called import InitializerNotCalled
from ruff_like_rules.rules.pin004_legacy_tensor_constructor import LegacyTensorConstructor
from ruff_like_rules.rules.pin005_unregistered_learnable_tensor import UnregisteredLearnableTensor
from ruff_like_rules.rules.pin006_unregistered_submodule_container import UnregisteredSubmoduleContainer
from ruff_like_rules.rules.pin007_incomplete_deferred_initializer import IncompleteDeferredInitializer
from ruff_like_rules.rules.pin100_unused_noqa import UnusedNoqa
from ruff_like_rules.rules.pin101_missing_reset_parameters import MissingResetParameters
from ruff_like_rules.rules.pin102_unscaled_random_weight import UnscaledRandomWeight
from ruff_like_rules.rules.pin103_constant_weight import ConstantWeight
from ruff_like_rules.rules.pin105_tensor_state_not_buffer import TensorStateNotBuffer

ALL_RULES: tuple[type[Rule], ...] = (
    UninitializedParameter,
    UninitializedLegacyConstructor,
    InitializerNotCalled,
    LegacyTensorConstructor,
    UnregisteredLearnableTensor,
    UnregisteredSubmoduleContainer,
    IncompleteDeferredInitializer,
    UnusedNoqa,
    MissingResetParameters,
    UnscaledRandomWeight,
    ConstantWeight,
    TensorStateNotBuffer,
)

_BY_CODE = {rule.code: rule for rule in ALL_RULES}


def rule_by_code(code: str) -> type[Rule] | None:
    return _BY_CODE.get(code.upper())
