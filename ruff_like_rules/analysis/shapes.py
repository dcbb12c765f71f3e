"""How big a factory call's tensor is, as far as its arguments say: the one reader of sizes.

The sizes of ``torch.empty(3, 4)``, ``torch.zeros((n, d))`` and ``torch.Tensor(n)`` are the
positional arguments, or the elements of a single tuple or list. Whether a name holds a size
(``hidden_size``, ``n_heads``) or data (``features``, ``input_ids``) is decided by one rule,
``holds_a_size``, wherever the question comes up: a legacy constructor's meaning, and how many
dimensions a storage a fix initializes has.
"""

from __future__ import annotations

import enum
import re

import libcst as cst

from ruff_like_rules.analysis.index import Function
from ruff_like_rules.syntax.nodes import argument, code_of, dotted_parts, is_name
from ruff_like_rules.syntax.walk import children


class SizeForm(enum.Enum):
    """What a legacy constructor's arguments are: ``torch.Tensor(3, 4)`` allocates,
    ``torch.Tensor([3, 4])`` copies."""

    SIZES = "size"
    DATA = "data"
    AMBIGUOUS = "ambiguous"  # a single name that could be an int or data: torch.Tensor(x)
    NONE = "none"  # no arguments: an empty tensor


# Names that hold a size: a count prefix (n_heads, num_tokens, max_len) or a last word that
# counts (hidden_size, dim, out_channels, heads); features/feats/tokens only after a prefix
# (in_features): bare, they are data, and so is anything ending in ids, states, values ...
_SIZE_PREFIX = re.compile(r"(?i)^(?:n|num|nb|number|max|min|total)_")
_SIZE_WORD = re.compile(
    r"(?i)(?:size|dim|len|length|count|width|height|depth|hidden|vocab|rank|order|embd|emb|embed|"
    r"nx|nf|ny|k|d|m|h|c|ch|n|feat|chan|channels|chans|units?|heads?|experts?|groups?|planes?|"
    r"filters?|classes|layers?|capacity|bsz|batch|steps|horizon|maxlen|seq)\d*"
)
_PREFIXED_SIZE_WORD = re.compile(r"(?i)(?:features|feats|tokens)\d*")
_COLLECTION_NAME = re.compile(r"(?i)(?:shape|sizes|dims|lengths|lens|counts)$")  # a list of sizes is data
_SIZE_CALLS = frozenset({"len", "int", "max", "min", "sum", "round", "math.prod", "prod"})
_SIZE_METHODS = frozenset({"size", "numel", "dim", "nelement", "item"})
_DATA_CALLS = frozenset({"numpy", "tolist", "list", "array", "asarray", "load"})
# np.prod(kernel_shape), np.int64(n), math.prod(shape): a number of elements, not an array
_NUMPY_SIZE_CALLS = frozenset({"prod", "size", "int64", "int32", "intp", "ceil", "floor"})
# What a name is used as in the same function: an int is never measured, zipped or indexed.
_SEQUENCE_CALLS = frozenset({"len", "zip", "enumerate", "sorted", "reversed", "list", "tuple", "iter"})
_SEQUENCE_METHODS = frozenset({"insert", "append", "extend", "pop", "index", "remove", "sort"})


def holds_a_size(name: str) -> bool:
    """Whether a variable or attribute called ``name`` holds one size (an int)."""
    if _COLLECTION_NAME.search(name):
        return False
    words = name.lower().strip("_").split("_")
    last = words[-1]
    return bool(
        _SIZE_PREFIX.match(name.lower().strip("_"))
        or _SIZE_WORD.fullmatch(last)
        or (len(words) > 1 and _PREFIXED_SIZE_WORD.fullmatch(last))
    )


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None]


def sizes(call: cst.Call) -> list[cst.BaseExpression]:
    """The size arguments: the positional ones, or the elements of a single tuple or list."""
    values = [a.value for a in _positional(call)]
    if len(values) == 1 and isinstance(values[0], (cst.Tuple, cst.List)):
        return [e.value for e in values[0].elements]
    return values


def allocates_nothing(call: cst.Call) -> bool:
    """No elements (``torch.empty(0)``) or the meta device: no memory, so no garbage."""
    device = argument(call, 99, "device")
    if device is not None and "meta" in code_of(device):
        return True
    return any(isinstance(size, cst.Integer) and size.evaluated_value == 0 for size in sizes(call))


def is_matrix(call: cst.Call) -> bool:
    """Two or more sizes that are not a literal 1: a weight, not a vector or a table row."""
    found = sizes(call)
    unit = [s for s in found if isinstance(s, cst.Integer) and s.evaluated_value == 1]
    return len(found) - len(unit) >= 2


def is_one_dimensional(call: cst.Call) -> bool:
    """A single size, neither a shape (tuple, list) nor computed by a call."""
    positional = _positional(call)
    return (
        len(positional) == 1
        and not positional[0].star
        and not isinstance(positional[0].value, (cst.Tuple, cst.List, cst.Call))
    )


def dimensions(call: cst.Call) -> int | None:
    """How many dimensions a factory call makes, when its arguments say so."""
    positional = _positional(call)
    if any(a.star for a in positional) or not positional:
        return None
    if len(positional) >= 2:
        return len(positional)
    value = positional[0].value
    if isinstance(value, (cst.Tuple, cst.List)):
        return len(value.elements)
    if isinstance(value, (cst.Integer, cst.BinaryOperation, cst.UnaryOperation)):
        return 1
    if isinstance(value, cst.Name) and holds_a_size(value.value):
        return 1
    if isinstance(value, cst.Attribute) and holds_a_size(value.attr.value):
        return 1  # config.hidden_size
    return None


def size_form(call: cst.Call, function: Function | None = None) -> SizeForm:
    """Whether a legacy constructor's arguments are sizes, data, ambiguous, or absent.

    ``torch.Tensor(3, 4)`` and ``torch.Tensor(*shape)`` allocate; ``torch.Tensor([3, 4])``
    copies; a single name could be either (an int allocates uninitialized memory): what the
    function bound it to decides (``b = x.size(0)``), else its name.
    """
    positional = _positional(call)
    if any(a.keyword is not None and a.keyword.value == "size" for a in call.args):
        return SizeForm.SIZES  # th.FloatTensor(size=(1, heads, feats)), DGL's spelling
    if not positional:
        return SizeForm.NONE
    if any(a.star == "*" for a in positional) or len(positional) >= 2:
        return SizeForm.SIZES
    return _form_of(positional[0].value, function)


def _form_of(value: cst.BaseExpression, function: Function | None = None, seen: frozenset[str] = frozenset()) -> SizeForm:
    """What a single argument is: a size, data, or either. A local is what the function
    binds it to (``b = x.size(0)``) or uses it as (``len(out_size)``), else its name says."""
    if isinstance(value, cst.Name) and function is not None and value.value not in seen:
        if _used_as_sequence(value.value, function):
            return SizeForm.DATA  # len(out_size), zip(out_size, ...), counts.insert(0, 0): not an int
        if any(_size_use(value.value, body) for body in function.bodies):
            return SizeForm.SIZES  # torch.Tensor(d_out, d_in) beside torch.Tensor(d_out): an int
        bound = function.local_defs.get(value.value)
        if bound:
            forms = {_form_of(b, function, seen | {value.value}) for b in bound}
            if len(forms) == 1 and forms != {SizeForm.AMBIGUOUS}:
                return forms.pop()
    if isinstance(value, (cst.Integer, cst.BinaryOperation)) or (
        isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer)
    ):
        sized = not isinstance(value, cst.BinaryOperation) or _arithmetic_of_sizes(value, function, seen)
        return SizeForm.SIZES if sized else SizeForm.AMBIGUOUS
    if isinstance(value, (cst.List, cst.Tuple, cst.ListComp, cst.Set, cst.Float, cst.GeneratorExp)):
        return SizeForm.DATA
    if isinstance(value, cst.IfExp):  # nwords + 1 if append_eos else nwords
        forms = {_form_of(value.body, function, seen), _form_of(value.orelse, function, seen)}
        return forms.pop() if len(forms) == 1 else SizeForm.AMBIGUOUS
    if isinstance(value, cst.Call):
        parts = dotted_parts(value.func)
        if parts is None:
            return SizeForm.AMBIGUOUS
        if (
            (parts[0] == "torch" and parts[-1] == "Size")
            or ".".join(parts) in _SIZE_CALLS
            or parts[-1] in _SIZE_METHODS
            or (len(parts) == 2 and parts[0] in ("np", "numpy", "math") and parts[1] in _NUMPY_SIZE_CALLS)
            or _counts(parts[-1])
        ):
            return SizeForm.SIZES
        if parts[0] in ("np", "numpy") or parts[-1] in _DATA_CALLS:
            return SizeForm.DATA
        return SizeForm.AMBIGUOUS
    if isinstance(value, cst.Attribute) and value.attr.value == "shape":
        return SizeForm.SIZES
    if isinstance(value, cst.Subscript):
        inner = value.value
        if isinstance(inner, cst.Attribute) and inner.attr.value == "shape":
            return SizeForm.SIZES
        return SizeForm.AMBIGUOUS
    parts = dotted_parts(value)
    if parts is not None and holds_a_size(parts[-1]):
        return SizeForm.SIZES
    return SizeForm.AMBIGUOUS


def _arithmetic_of_sizes(value: cst.BaseExpression, function: Function | None, seen: frozenset[str]) -> bool:
    if isinstance(value, cst.BinaryOperation):
        return _arithmetic_of_sizes(value.left, function, seen) and _arithmetic_of_sizes(value.right, function, seen)
    if isinstance(value, cst.Integer):
        return True
    return _form_of(value, function, seen) == SizeForm.SIZES


def _counts(callee: str) -> bool:
    """A call named for a count or an index returns an int: ``get_workspace_size(...)``,
    ``g.num_nodes(t)``, ``compute_threshold_idx(...)``."""
    return callee.startswith(("num_", "n_", "get_num_")) or callee.endswith(
        ("_size", "_count", "_numel", "_len", "_idx", "_index")
    )


def _used_as_sequence(name: str, function: Function) -> bool:
    """Whether ``function`` treats ``name`` as a sequence: measured, zipped, iterated, indexed,
    unpacked or grown. Such use beats a name that sounds like a size; an annotation does not
    (transformers' ``hidden_size: tuple[int]`` is handed an int by every caller)."""
    return any(_sequence_use(name, body) for body in function.bodies)


_TAKES_SIZES = frozenset({"empty", "zeros", "ones", "rand", "randn", "new", "new_empty", "new_zeros", "new_ones", "view", "reshape"})


def _size_use(name: str, root: cst.CSTNode) -> bool:
    """Whether ``name`` is one of two or more sizes handed to an allocation or a reshape
    (``torch.Tensor(d_out, d_in)``, ``torch.zeros(n, d)``, ``x.view(b, n)``) in the scope."""
    for node in _in_scope(root):
        if isinstance(node, cst.Call):
            parts = dotted_parts(node.func)
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if (
                parts is not None
                and (parts[-1] in _TAKES_SIZES or parts[-1].endswith("Tensor"))
                and len(positional) >= 2
                and any(is_name(a.value, name) for a in positional)
            ):
                return True
    return False


def _in_scope(root: cst.CSTNode):
    """The nodes under ``root`` that belong to its scope (nested functions, classes and lambdas left out)."""
    stack = list(children(root))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue  # another scope
        yield node
        stack.extend(children(node))


def _sequence_use(name: str, root: cst.CSTNode) -> bool:
    for node in _in_scope(root):
        if isinstance(node, cst.Call):
            parts = dotted_parts(node.func)
            if parts is not None and len(parts) == 1 and parts[0] in _SEQUENCE_CALLS and any(is_name(a.value, name) for a in node.args):
                return True
            if isinstance(node.func, cst.Attribute) and is_name(node.func.value, name) and node.func.attr.value in _SEQUENCE_METHODS:
                return True
            if any(a.star == "*" and is_name(a.value, name) for a in node.args):
                return True
        elif isinstance(node, cst.Subscript) and is_name(node.value, name):
            return True
        elif isinstance(node, (cst.For, cst.CompFor)) and is_name(node.iter, name):
            return True
        elif isinstance(node, cst.StarredElement) and is_name(node.value, name):
            return True
    return False
