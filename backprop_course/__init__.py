"""backprop_course: learn backpropagation by building it."""

__version__ = "0.1.0"

from . import autograd, nn
from .autodiff import Context, Function, enable_grad, no_grad, topological_order
from .creation import (
    cat,
    eye,
    from_numpy,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from .gradcheck import gradcheck
from .tensor import Tensor
from .value import Value

__all__ = [
    "Context", "Function", "Tensor", "Value", "autograd", "cat", "enable_grad", "eye", "from_numpy", "gradcheck",
    "manual_seed", "nn", "no_grad", "ones", "ones_like", "rand", "randn", "stack", "tensor", "topological_order",
    "zeros", "zeros_like", "__version__",
]
