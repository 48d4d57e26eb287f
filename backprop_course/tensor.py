"""`Tensor`: an ndarray that remembers how it was computed (PyTorch-like)."""

import numbers

import numpy as np

from . import autodiff, ops
from .checks import is_real
from .operators import Operators


def _as_array(data, dtype=None):
    if isinstance(data, Tensor):
        data = data.data
    try:
        arr = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Tensor needs numbers, got {type(data).__name__}: {err}") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)  # integers and booleans become float64; gradients need floats
    elif arr.dtype.kind != "f":
        raise TypeError(f"Tensor needs real numbers, got an array of dtype {arr.dtype} from {type(data).__name__}")
    elif arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


class Tensor(Operators, autodiff.Node):
    """An n-dimensional float node. `.data` is an ndarray, `.grad` a Tensor or None."""

    __slots__ = ("_grad",)

    def __init__(self, data, requires_grad=False, label=""):
        self.data = _as_array(data)
        self._grad = None
        self.parents = ()
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._fn = self._saved = self._extras = None

    @classmethod
    def _wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        out = object.__new__(cls)
        out.data = np.asarray(data)
        out._grad = None
        out.parents = parents
        out.label = ""
        out.requires_grad = fn is not None
        out._fn = fn
        out._saved = saved
        out._extras = extras
        return out

    @staticmethod
    def _as_grad(grad):
        return grad if isinstance(grad, Tensor) else Tensor(grad)

    @staticmethod
    def _fit_grad(grad, data, node, index):
        """Sum a broadcast gradient back to the input's shape (the one place this happens).

        Beyond the input's own shape, only what broadcasting against the output
        explains is accepted: size-1 axes grown, and leading axes that the
        output has too. Anything else is a wrong gradient and is reported.
        """
        name = node._fn.__name__
        if isinstance(grad, numbers.Real):
            grad = np.asarray(grad, dtype=data.dtype)
        if not isinstance(grad, (np.ndarray, Tensor)):
            raise ValueError(f"{name}.backward returned {type(grad).__name__} for input {index}; expected an array")
        shape = grad.shape
        if shape != data.shape:
            lead, out = len(shape) - data.ndim, node.data.shape
            if (lead < 0 or len(out) < len(shape) or shape[:lead] != out[len(out) - len(shape):][:lead]
                    or any(n != 1 and n != m for n, m in zip(data.shape, shape[lead:]))):
                raise ValueError(
                    f"{name}.backward returned a gradient of shape {shape} for input {index}, "
                    f"which has shape {data.shape}; a gradient must have its input's shape."
                )
            axes = tuple(range(lead)) + tuple(
                lead + i for i, n in enumerate(data.shape) if n == 1 and shape[lead + i] != 1
            )
            grad = grad.sum(axis=axes, keepdims=True).reshape(data.shape)
        if isinstance(grad, np.ndarray) and grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
        return grad

    @staticmethod
    def _accumulate(old, new):
        if old is None:
            return new
        return old.data + new if isinstance(new, np.ndarray) else old + new

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, g):
        if g is not None and not isinstance(g, Tensor):
            g = Tensor(g if g.flags.writeable else g.copy())
        self._grad = g

    # conversion -------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def numpy(self):
        return self.data

    def item(self):
        return self.data.item()

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{extra})"

    def detach(self):
        return Tensor(self.data)

    def backward(self, grad=None, retain_graph=False, create_graph=False):
        """Backpropagate from this tensor. A non-scalar tensor needs `grad` (dL/dself)."""
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient only works on a scalar, but this tensor has shape "
                    f"{self.shape}; pass grad= with that shape (the upstream dL/d(output))."
                )
            grad = np.ones_like(self.data)
        else:
            grad = _as_array(grad, self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad=...) got shape {grad.shape}, but the tensor has shape {self.shape}")
        if not self.requires_grad:
            raise RuntimeError("this tensor does not require grad: none of its inputs has requires_grad=True")
        autodiff.backward(self, grad, retain_graph=retain_graph or create_graph, create_graph=create_graph)

    # arithmetic -------------------------------------------------------------
    def _lift(self, x, symbol=""):
        if isinstance(x, Tensor):
            return x
        # Numbers and boolean masks take this tensor's dtype, as in NumPy (float32 * mask stays float32).
        same = is_real(x) or getattr(x, "dtype", None) == np.bool_
        return Tensor(_as_array(x, self.dtype if same else None))

    def __matmul__(self, o):
        return matmul(self, self._lift(o))

    def __rmatmul__(self, o):
        return matmul(self._lift(o), self)

    def maximum(self, o):
        return ops.Maximum.apply(self, self._lift(o))

    def sum(self, axis=None, keepdims=False):
        return ops.Sum.apply(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.Mean.apply(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return ops.Max.apply(self, axis, keepdims)

    def softmax(self, axis=-1):
        return ops.Softmax.apply(self, axis)

    def log_softmax(self, axis=-1):
        return ops.LogSoftmax.apply(self, axis)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return ops.Reshape.apply(self, tuple(shape))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return ops.Transpose.apply(self, tuple(axes) if axes else None)

    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        if self.ndim < 2:
            raise ValueError(f"mT swaps the last two dimensions, so it needs at least 2; got shape {self.shape}")
        axes = list(range(self.ndim))
        axes[-2:] = axes[-1], axes[-2]
        return self.transpose(axes)

    def __getitem__(self, index):
        return ops.GetItem.apply(self, _plain_index(index))


def _plain_index(index):
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    return index.data.astype(np.intp) if isinstance(index, Tensor) else index


def matmul(x, y):
    """x @ y with NumPy's rules: 1-D operands are promoted, then squeezed again."""
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {x.shape} and {y.shape}")
    if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
        raise ValueError(
            f"matmul shape mismatch: x has shape {x.shape} and y has shape {y.shape}; "
            f"x's last dimension ({x.shape[-1]}) must equal y's "
            f"{'second-to-last' if y.ndim > 1 else 'only'} dimension ({y.shape[-2 if y.ndim > 1 else 0]})."
        )
    x2 = x.reshape(1, -1) if x.ndim == 1 else x
    y2 = y.reshape(-1, 1) if y.ndim == 1 else y
    try:
        out = ops.MatMul.apply(x2, y2)
    except ValueError as err:  # batch dimensions that do not broadcast
        raise ValueError(f"matmul shape mismatch: {x.shape} @ {y.shape}: {err}") from None
    if x.ndim == 1 or y.ndim == 1:
        rows = () if x.ndim == 1 else out.shape[-2:-1]
        cols = () if y.ndim == 1 else out.shape[-1:]
        out = out.reshape(out.shape[:-2] + rows + cols)
    return out
