"""backprop_course: learn backpropagation by building it."""

__version__ = "0.1.0"

from .autodiff import Context, Function, enable_grad, no_grad, topological_order
from .gradcheck import gradcheck
from .tensor import Tensor
from .value import Value

__all__ = [
    "Context", "Function", "Tensor", "Value", "enable_grad", "gradcheck", "no_grad", "topological_order", "__version__",
]
