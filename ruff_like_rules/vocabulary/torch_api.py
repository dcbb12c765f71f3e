"""The torch API the analysis knows, as sets of names by the role they play.

Every layer reads these: the analysis decides with them, the rules report with them, and the
prefilter's trigger patterns are built from them (``vocabulary/triggers.py``), so a name added
here is seen by the fast path and the full parse alike. Qualified names are canonical (see
``torch_names.canonical``); method and function names are bare.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------- constructors

# Legacy typed constructors: torch.<Name>(...) and torch.cuda.<Name>(...) -> dtype attribute.
LEGACY_TENSOR_DTYPES: dict[str, str | None] = {
    "Tensor": None,  # the default dtype
    "FloatTensor": "float32",
    "DoubleTensor": "float64",
    "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16",
    "ByteTensor": "uint8",
    "CharTensor": "int8",
    "ShortTensor": "int16",
    "IntTensor": "int32",
    "LongTensor": "int64",
    "BoolTensor": "bool",
}
# ``x.new(3, 4)``: the tensor method behind the legacy constructors.
LEGACY_METHODS = frozenset({"new"})
# Factories of uninitialized memory, and the tensor methods that allocate it.
EMPTY_FACTORIES = frozenset({"torch.empty", "torch.empty_like", "torch.empty_strided"})
EMPTY_METHODS = frozenset({"new_empty", "new_empty_strided"})
RANDOM_NORMAL_FACTORIES = frozenset({"torch.randn"})
RANDOM_UNIFORM_FACTORIES = frozenset({"torch.rand"})
CONSTANT_FACTORIES = frozenset({"torch.zeros", "torch.ones"})

# What makes a tensor a parameter or a buffer.
PARAMETER = "torch.nn.Parameter"  # what a fix wraps a learnable tensor in
PARAMETER_CLASSES = frozenset({PARAMETER})
BUFFER_CLASSES = frozenset({"torch.nn.Buffer"})
PARAMETER_MODULE = "torch.nn.parameter"  # imported as a module: ``from torch.nn import parameter``
WRAPPING_METHODS = frozenset({"register_parameter", "register_buffer"})  # module.register_*(name, tensor)
REGISTERING_METHODS = WRAPPING_METHODS | {"add_module", "register_module"}  # register by name

# torch functions whose result is a tensor (plus every ``*_like`` and ``*_window``).
TENSOR_FUNCTIONS = frozenset(
    {
        "zeros", "ones", "empty", "full", "rand", "randn", "randint", "randperm", "normal", "arange",
        "linspace", "logspace", "eye", "tensor", "as_tensor", "asarray", "from_numpy", "tril", "triu",
        "cat", "concat", "stack", "exp", "log", "sin", "cos", "sqrt", "pow", "outer", "einsum", "matmul",
        "diag", "cumsum", "polar", "where", "clamp", "sigmoid", "softmax", "tril_indices", "triu_indices",
    }
)
# Containers whose first argument's storages they hold (torch's, and Python's own).
CONTAINER_NAMES = frozenset(
    {"ParameterList", "ParameterDict", "ModuleList", "ModuleDict", "Sequential", "list", "tuple", "dict"}
)

# ---------------------------------------------------------------------------- tensor methods

# In-place methods that overwrite (part of) a tensor's values. Arithmetic in place
# (add_, mul_, clamp_) keeps garbage garbage, so it is not here.
WRITER_METHODS = frozenset(
    {
        "normal_", "uniform_", "zero_", "fill_", "copy_", "random_", "bernoulli_",
        "exponential_", "geometric_", "log_normal_", "cauchy_", "set_", "fill_diagonal_",
        "index_fill_", "index_copy_", "index_put_", "masked_fill_", "masked_scatter_",
        "scatter_", "scatter_add_", "put_", "trunc_normal_", "orthogonal_", "eye_",
    }
)
# Methods that hand back the same storage (or a view of it): casts, views, device moves.
PASSTHROUGH_METHODS = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "type_as",
        "requires_grad_", "contiguous", "detach", "detach_", "view", "view_as", "reshape",
        "t", "transpose", "permute", "pin_memory", "share_memory_", "squeeze", "unsqueeze",
        "expand", "flatten", "unflatten", "narrow", "select", "as_strided", "xpu", "mps",
    }
)
# Casts to another dtype copy the values as they are: a cast of unwritten memory is unwritten.
DTYPE_CASTS = frozenset({"long", "int", "short", "byte", "char", "bool", "float", "double", "half", "bfloat16"})
# torch.distributed calls that write the tensors they are given (on receiving ranks at least):
# the receive buffer of broadcast/recv, the output list or tensor of a gather.
RECEIVING_COLLECTIVES = frozenset(
    {
        "broadcast", "recv", "irecv", "all_reduce", "reduce", "all_gather", "all_gather_into_tensor",
        "reduce_scatter", "reduce_scatter_tensor", "all_to_all", "all_to_all_single", "scatter", "gather",
    }
)
# Tensor methods whose result is again a tensor.
TENSOR_METHODS = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "long", "int", "bool", "type", "type_as",
        "contiguous", "detach", "clone", "view", "view_as", "reshape", "t", "transpose", "permute", "squeeze",
        "unsqueeze", "expand", "expand_as", "repeat", "repeat_interleave", "flatten", "narrow", "flip",
        "exp", "log", "sin", "cos", "sqrt", "pow", "abs", "neg", "reciprocal", "rsqrt", "sum", "mean",
        "cumsum", "masked_fill", "tril", "triu", "outer", "matmul", "mul", "add", "sub", "div",
        "normal_", "uniform_", "zero_", "fill_", "copy_", "mul_", "add_", "div_", "clamp", "clamp_",
    }
)
# Tensor methods that read their tensor arguments.
READING_METHODS = frozenset(
    {
        "matmul", "mm", "bmm", "mv", "dot", "add", "sub", "mul", "div", "true_divide", "pow", "maximum",
        "minimum", "addmm", "addbmm", "baddbmm", "copy_", "add_", "sub_", "mul_", "div_", "index_select",
        "gather", "masked_fill", "where", "lerp", "atan2", "cross", "outer", "ger", "kron", "eq", "ne",
        "lt", "gt", "le", "ge", "allclose", "equal", "expand_as", "masked_select", "scatter", "index_add",
    }
)
# Reading these tells nothing about a tensor's values.
METADATA_ATTRIBUTES = frozenset(
    {"shape", "size", "dim", "ndim", "dtype", "device", "numel", "nelement", "is_cuda", "requires_grad",
     "element_size", "stride", "is_contiguous", "layout", "resize_", "resize_as_", "storage_offset"}
)

# ---------------------------------------------------------------------------- initializers

# torch.nn.init's functions (and the old spellings without the underscore), by bare name.
INIT_FUNCTION_NAMES = frozenset(
    {
        "normal_", "uniform_", "trunc_normal_", "trunc_normal_tf_", "xavier_uniform_",
        "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "constant_",
        "zeros_", "ones_", "eye_", "dirac_", "sparse_", "lecun_normal_", "variance_scaling_",
        "normal", "uniform", "xavier_uniform", "xavier_normal", "kaiming_uniform",
        "kaiming_normal", "orthogonal", "constant", "trunc_normal", "copy_",
    }
)
# An imported helper whose name holds one of these words is trusted to fill a tensor
# (glorot(w), init_method(w), load_pretrained(w)); matched anywhere in the name, any case.
INITIALIZER_WORDS = (
    "init", "fill", "normal", "uniform", "xavier", "kaiming", "glorot", "lecun", "orthogonal",
    "reset", "load", "copy", "zero", "ones", "constant", "trunc", "eye", "dirac",
)
# The names code bases give the methods that initialize a module's own parameters (the
# ``initializer-methods`` setting replaces them); every one holds one of these words.
INITIALIZER_METHOD_WORDS = ("init", "reset")
DEFAULT_INITIALIZER_METHODS = frozenset(
    {
        "reset_parameters",
        "_reset_parameters",
        "reset_params",
        "_reset_params",
        "init_weights",
        "_init_weights",
        "init_parameters",
        "_init_parameters",
        "init_params",
        "_init_params",
        "initialize_weights",
        "_initialize_weights",
        "initialize_parameters",
        "_initialize_parameters",
        "weight_init",
        "_weight_init",
    }
)

# ---------------------------------------------------------------------------- nn.Module

# nn.Module's own methods: calling them never runs an initializer of the file.
NN_MODULE_METHODS = frozenset(
    {
        "register_buffer", "register_parameter", "add_module", "register_module", "get_submodule",
        "get_parameter", "get_buffer", "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type",
        "train", "eval", "requires_grad_", "zero_grad", "parameters", "named_parameters", "buffers",
        "named_buffers", "children", "named_children", "modules", "named_modules", "state_dict",
        "load_state_dict", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook", "register_backward_hook",
        "register_load_state_dict_post_hook", "register_state_dict_pre_hook", "_register_load_state_dict_pre_hook",
        "_register_state_dict_hook", "extra_repr", "share_memory", "to_empty", "set_extra_state",
    }
)
# Methods of a module that hand back the module itself.
MODULE_METHODS = frozenset(
    {"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval", "requires_grad_", "apply", "type"}
)
PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})
MODULE_ITERATORS = frozenset({"modules", "named_modules", "children", "named_children"})
# torch.nn classes that may hold modules of any class (the rest hold only torch's own)
MODULE_CONTAINER_CLASSES = frozenset(
    {
        "Module",
        "Sequential",
        "ModuleList",
        "ModuleDict",
        "Transformer",
        "TransformerEncoder",
        "TransformerDecoder",
        "DataParallel",
        "DistributedDataParallel",
    }
)
STATE_DICT = "state_dict"  # iterated: every parameter and buffer
LOAD_STATE_DICT = "load_state_dict"  # a checkpoint overwrites every parameter and buffer
APPLY = "apply"  # module.apply(fn) runs fn on every submodule

# torch.nn layers that hold no parameter or buffer and behave the same in train() and eval():
# kept in a plain list they miss nothing (dropout and norms do: their mode never reaches them).
STATELESS_LAYERS = re.compile(
    r"(?:ReLU6?|RReLU|[GS]iLU|GELU|ELU|CELU|SELU|LeakyReLU|Sigmoid|Tanh|Softmax2?d?|LogSoftmax|Softmin"
    r"|Softplus|Softsign|Softshrink|Hardshrink|Tanhshrink|Hard(?:swish|sigmoid|tanh)|Mish|GLU|LogSigmoid|Threshold"
    r"|Identity|Flatten|Unflatten|Upsample(?:ingNearest2d|ingBilinear2d)?|PixelShuffle|PixelUnshuffle|ChannelShuffle"
    r"|(?:Adaptive)?(?:Max|Avg)Pool[123]d|LPPool[123]d|(?:Zero|Constant|Reflection|Replication|Circular)Pad[123]d"
    r"|CosineSimilarity|PairwiseDistance|Fold|Unfold)"
)
