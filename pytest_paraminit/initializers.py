"""The initializers a training script runs after ``to_empty()``, by name or as a callable.

The conventions differ in who is called: FSDP calls ``reset_parameters()`` on every submodule that
has one; torchtitan- and nanoGPT-style trainers call ``model.init_weights()`` on the root; Hugging
Face applies ``model._init_weights`` to every module (``model.apply(model._init_weights)``) or calls
``model.post_init()``.  An :class:`Initializer` knows which it is, so that a finding can say which
method did not cover a tensor.  Plain data until it is called: the plugin validates the ini key and
the CLI option with :func:`resolve` before torch is imported.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

# nn.MultiheadAttention initializes itself in a private method that FSDP's reset_parameters() convention
# never calls; the reset_parameters path does not call it either (it checks what FSDP would do) and names it
PRIVATE_RESETS = {"MultiheadAttention": "_reset_parameters"}

NAMES = {
    "reset_parameters": "reset_parameters() on every submodule that has one (FSDP's convention)",
    "init_weights": "model.init_weights() on the root module (torchtitan, nanoGPT-style trainers)",
    "_init_weights": "model.apply(model._init_weights): the root's method on every module (Hugging Face)",
    "post_init": "model.post_init() on the root module (Hugging Face)",
}
DEFAULT = "reset_parameters"



def class_name(module: Any) -> str:
    """The user's name for ``module``'s class: FSDP2's ``fully_shard`` swaps in a subclass ``FSDP<Name>``."""
    cls = type(module)
    bases = cls.__bases__
    if len(bases) == 2 and bases[0].__name__ == "FSDPModule" and cls.__name__ == f"FSDP{bases[1].__name__}":
        cls = bases[1]
    return cls.__qualname__

class InitializerError(ValueError):
    """An initializer name that is not known, or a model without the method it names."""


@dataclass(frozen=True)
class Initializer:
    """One way to initialize a materialized model; ``name`` is a key of :data:`NAMES` or a callable's name."""

    name: str
    function: Callable[[Any], None] | None = None  # a user's callable; None for the named conventions

    def __call__(self, module) -> None:
        if self.function is not None:
            self.function(module)
        elif self.name == "reset_parameters":
            for submodule in module.modules():
                reset = getattr(submodule, "reset_parameters", None)
                if callable(reset):
                    reset()
        else:
            method = self.method(module)
            if self.name == "_init_weights":
                module.apply(method)
            else:
                method()

    def method(self, module) -> Callable:
        """The root's method this initializer calls; :class:`InitializerError` when the model lacks it."""
        method = getattr(module, self.name, None)
        if not callable(method):
            known = [name for name in NAMES if name != DEFAULT and callable(getattr(module, name, None))]
            raise InitializerError(
                f"initializer {self.name!r}: {class_name(module)} has no {self.name}() method; "
                f"it has {', '.join(known + [DEFAULT])} (or pass a callable: initialize=lambda model: ...)")
        return method

    def check(self, module) -> None:
        """Raise :class:`InitializerError` before anything is materialized if ``module`` cannot take it."""
        if self.function is None and self.name != DEFAULT:
            self.method(module)

    def misses(self, root, owner) -> str:
        """Why ``owner`` (a submodule of ``root``) kept raw memory under this initializer, in one clause."""
        kind = class_name(owner)
        if self.name == "reset_parameters":
            private = PRIVATE_RESETS.get(type(owner).__name__)
            if private and callable(getattr(owner, private, None)):
                return (f"{kind} has only a private {private}(), which the reset_parameters() convention "
                        f"(FSDP's) never calls")
            if callable(getattr(owner, "reset_parameters", None)):
                return f"{kind}.reset_parameters() does not initialize it"
            return f"{kind} has no reset_parameters()"
        if self.function is not None:
            return f"the initializer {self.name} does not cover it"
        applied = ", applied to every module," if self.name == "_init_weights" else ""
        whose = "" if owner is root else f" (owner: {kind})"
        return f"{class_name(root)}.{self.name}(){applied} does not cover it{whose}"

    def where(self, root, owner) -> str:
        """The code that should write a tensor of ``owner``: ``Rotary.reset_parameters()``, ``GPT.init_weights()``."""
        if self.function is not None:
            return f"the initializer {self.name}"
        return f"{class_name(owner if self.name == DEFAULT else root)}.{self.name}()"

    def expression(self, owner, name: str) -> str:
        """How the initializer's code reaches tensor ``name`` of ``owner``: ``self.rope.inv_freq``, ``module.w``."""
        leaf = name.rpartition(".")[2]
        if self.function is not None:
            return f"model.{name}"
        if self.name == DEFAULT:
            return f"self.{leaf}"
        if self.name == "_init_weights":
            return f"module.{leaf} (isinstance(module, {class_name(owner)}))"
        return f"self.{name}"

    def fix(self, root, owner, name: str) -> str:
        """What to write so that this initializer covers ``name`` (a tensor of ``owner``)."""
        private = PRIVATE_RESETS.get(type(owner).__name__)
        if private and callable(getattr(owner, private, None)):
            return (f"after reset_parameters() on every submodule, call {private}() on every "
                    f"{class_name(owner)} (FSDP: in param_init_fn); it does not write out_proj.weight, "
                    "so it does not replace out_proj.reset_parameters()")
        if self.name == DEFAULT and not callable(getattr(owner, DEFAULT, None)):
            return f"give {class_name(owner)} a reset_parameters() that writes self.{name.rpartition('.')[2]}"
        target, where = self.expression(owner, name), self.where(root, owner)
        return f"write {target} in {where} (nn.init.*_ or copy_), as __init__ does"


def resolve(spec: str | Callable | Initializer | None) -> Initializer:
    """An initializer from a name of :data:`NAMES`, an import path ``pkg.mod:function``, or a callable."""
    if spec is None:
        spec = DEFAULT
    if isinstance(spec, Initializer):
        return spec
    if callable(spec):
        return Initializer(getattr(spec, "__qualname__", repr(spec)), spec)
    if not isinstance(spec, str):
        raise InitializerError(f"initialize= takes a name or a callable, not {type(spec).__name__}")
    if spec in NAMES:
        return Initializer(spec)
    if ":" in spec:
        module_path, _, attribute = spec.partition(":")
        try:
            function = importlib.import_module(module_path)
            for part in attribute.split("."):  # pkg.mod:Class.method works too
                function = getattr(function, part)
        except (ImportError, AttributeError) as error:
            raise InitializerError(f"initializer {spec!r}: cannot import it: {error}") from None
        if not callable(function):
            raise InitializerError(f"initializer {spec!r} is not callable")
        return Initializer(spec, function)
    raise InitializerError(f"unknown initializer {spec!r}: use one of {', '.join(NAMES)}, "
                           "an import path 'package.module:function', or a callable")
