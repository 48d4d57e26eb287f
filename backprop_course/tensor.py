"""`Tensor`: an ndarray that remembers how it was computed (PyTorch-like)."""

import math
import numbers
from typing import NamedTuple

import numpy as np

from . import autodiff, ops
from .checks import dimension, gradient_shape, is_int, is_real, label_text, reduction_axes
from .numpy_compat import COPY_IF_NEEDED
from .operators import Operators
from .write_lock import LOCK


def _as_array(data, dtype=None, copy=True):
    """An ndarray of `data`: float32 stays, booleans stay (masks), other numbers become float64.

    A copy by default, as `torch.tensor` does, so later writes to the caller's
    array never reach a graph.
    """
    if isinstance(data, Tensor):
        data = data.data
    try:
        arr = np.array(data, dtype=dtype, copy=copy)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Tensor needs numbers, got {type(data).__name__}: {err}") from None
    kind = arr.dtype.kind
    if kind in "iu":
        arr = arr.astype(np.float64)  # gradients need floats
    elif kind == "f":
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
    elif kind != "b":
        raise TypeError(f"Tensor needs real numbers, got an array of dtype {arr.dtype} from {type(data).__name__}")
    return arr


def _as_output(data, fn, saved):
    """Forward's result as an ndarray, with `saved` pointing at the same object (0-d results are NumPy scalars)."""
    name = fn.__name__ if fn else "Tensor"
    if isinstance(data, np.ndarray | np.generic | float | int) and not isinstance(data, bool):
        arr = np.asarray(data)
        if arr.dtype.kind in "fbiu":
            return arr, tuple([arr if s is data else s for s in saved])
        raise TypeError(f"{name}.forward returned an array of dtype {arr.dtype}; a Tensor holds real numbers")
    raise TypeError(f"{name}.forward returned {type(data).__name__} {data!r:.60}; on Tensors it must return one "
                    "ndarray (several outputs are not supported: write one Function per output)")


class Tensor(Operators, autodiff.Node):
    """An n-dimensional float node. `.data` is an ndarray, `.grad` a Tensor or None.

    `Tensor(array)` copies, as `torch.tensor` does. While a graph holds an
    array for its backward (a leaf's data, or an op's result), the array is
    read-only, so writing into it raises instead of corrupting the gradients;
    backward releases it. Results that are views of their input (reshape,
    transpose, indexing) are read-only: their memory is the input's.
    """

    __slots__ = ("data", "parents", "label", "requires_grad", "_fn", "_saved", "_extras", "_grad", "_locked")

    def __new__(cls, data, requires_grad=False, label=""):
        t = cls.wrap_output(_as_array(data), ())
        if requires_grad:
            t.requires_grad_()
        if label:
            t.label = label_text(label)
        return t

    @classmethod
    def wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        if type(data) is not np.ndarray:
            data, saved = _as_output(data, fn, saved)
        elif fn is not None and data.base is not None and data.flags.writeable:
            data.flags.writeable = False  # a view of an input (reshape, transpose, indexing) writes into it
        out = object.__new__(cls)
        out.data = data
        out._grad = None
        out.parents = parents
        out.label = ""
        out.requires_grad = bool(parents)
        out._fn = fn
        out._saved = saved
        out._extras = extras
        out._locked = LOCK.lock(saved) if saved else None
        return out

    def release(self):
        if self._locked:
            LOCK.unlock(self._locked)
            self._locked = None
        if self._saved:  # what forward saved goes; a node that saved nothing can be walked again
            self._saved = None

    @staticmethod
    def as_grad(grad):
        return grad if isinstance(grad, Tensor) else Tensor(grad)

    @staticmethod
    def fit_grad(grad, data, node, index):
        """Sum a broadcast gradient back to the input's shape (the one place this happens).

        Beyond the input's own shape, only what broadcasting against the output
        explains is accepted: size-1 axes grown, and leading axes that the
        output has too. Anything else is a wrong gradient and is reported.
        """
        if type(grad) is np.ndarray and grad.shape == data.shape and grad.dtype == data.dtype:
            return grad  # the common case
        name = node._fn.__name__  # for messages (the input's position is looked up only when one is raised)
        if type(grad) is not np.ndarray:
            if isinstance(grad, numbers.Real):
                grad = np.asarray(grad, dtype=data.dtype)
            elif not isinstance(grad, np.ndarray | Tensor):
                raise ValueError(f"{name}.backward returned {type(grad).__name__} for input "
                                 f"{autodiff.argument_position(node, index)}; expected an array")
        shape = grad.shape
        if shape != data.shape:
            lead, out = len(shape) - data.ndim, node.data.shape
            grown = shape[lead:] != data.shape  # size-1 axes grown (else only leading axes were added: a bias)
            if (lead < 0 or len(out) < len(shape) or shape[:lead] != out[len(out) - len(shape):][:lead]
                    or grown and any(n != 1 and n != m for n, m in zip(data.shape, shape[lead:]))):
                raise ValueError(
                    f"{name}.backward returned a gradient of shape {shape} for input "
                    f"{autodiff.argument_position(node, index)}, "
                    f"which has shape {data.shape}; a gradient must have its input's shape."
                )
            if grown:
                axes = tuple(range(lead)) + tuple(
                    lead + i for i, n in enumerate(data.shape) if n == 1 and shape[lead + i] != 1
                )
                grad = grad.sum(axis=axes, keepdims=True).reshape(data.shape)
            elif type(grad) is np.ndarray:
                grad = np.add.reduce(grad, axis=tuple(range(lead)))  # grad.sum, without its Python wrapper
            else:
                grad = grad.sum(axis=tuple(range(lead)))
        if grad.dtype != data.dtype:
            if grad.dtype.kind not in "fiub":
                raise ValueError(f"{name}.backward returned a gradient of dtype {grad.dtype} for input "
                                 f"{autodiff.argument_position(node, index)}; "
                                 "gradients of real inputs must be real (a complex part would be dropped)")
            if isinstance(grad, np.ndarray | np.generic):  # a sum over every axis gives a NumPy scalar
                grad = np.asarray(grad, dtype=data.dtype)
        return grad

    @staticmethod
    def accumulate(old, new):
        if old is None:
            return new
        return np.asarray(old.data + new) if isinstance(new, np.ndarray) else old + new

    # The engine stores a raw ndarray; it becomes a Tensor when first read (most
    # intermediate gradients of a training step are never looked at).
    @property
    def grad(self):
        g = self._grad
        if type(g) is np.ndarray:
            g = self._grad = Tensor.wrap_output(g if g.flags.writeable else g.copy(), ())
        return g

    @grad.setter
    def grad(self, g):
        if g is not None and (type(g) is not np.ndarray or g.shape != self.data.shape):
            if isinstance(g, np.generic):
                g = np.asarray(g)
            elif not isinstance(g, np.ndarray | Tensor):
                raise TypeError(f"a Tensor's .grad must be a Tensor (or an ndarray, or None), got {type(g).__name__}")
            if g.shape != self.data.shape:
                raise ValueError(f"a .grad must have its tensor's shape {self.data.shape}, got shape {g.shape}")
        self._grad = g

    def requires_grad_(self, requires_grad=True):
        """Set whether gradients are collected for this leaf; returns the tensor (as in PyTorch)."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only float tensors can require gradients, this one holds {self.data.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad can only be turned off on a leaf; use .detach() for a result")
        self.requires_grad = bool(requires_grad)
        return self

    # conversion -------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)

    def size(self, dim=None):
        """The shape (PyTorch's `size()`), or the length of dimension `dim`. `numel()` counts the elements."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype)

    def numpy(self):
        return self.data

    def item(self):
        return self.data.item()

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        extra = (f", grad_fn={self.grad_fn}" if self._fn else
                 ", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{extra})"

    # PyTorch's autograd attributes ------------------------------------------------------
    @property
    def grad_fn(self):
        """The Function that made this tensor, under PyTorch's name (MulBackward0); None for a leaf."""
        return GradFn(self) if self._fn else None

    def retain_grad(self):
        """A no-op: this course fills in every intermediate `.grad` anyway (the pictures draw them)."""

    def zero_(self):
        """Fill with zeros in place (the same array, as in PyTorch: a graph that saved it raises)."""
        return self._in_place(lambda data: data.fill(0))

    # In-place arithmetic, as an optimizer writes it: `with no_grad(): w -= lr * w.grad`.
    def _in_place(self, write):
        if autodiff.is_grad_enabled() and self.requires_grad:
            raise RuntimeError("an in-place change of a tensor that requires grad is not recorded in the graph; "
                               "make it inside no_grad() (an optimizer's update), or write w = w - ... instead")
        if LOCK.holds(self.data):
            raise RuntimeError("this tensor's data is read-only: a graph saved it to compute gradients and has not "
                               "run backward yet (it, or the tensor it shares memory with); changing it now would "
                               "make that backward wrong. Run backward first, or work on a clone().")
        if not self.data.flags.writeable:
            raise RuntimeError("this tensor's data is read-only: it is a view of another tensor's data (reshape, "
                               "transpose, indexing, expand) or of a read-only array. Change that tensor instead, or "
                               "work on a clone().")
        write(self.data)
        return self

    def _update(self, other, ufunc):
        other = other.data if isinstance(other, Tensor) else other
        return self._in_place(lambda data: ufunc(data, other, out=data, casting="same_kind"))

    def __iadd__(self, other):
        return self._update(other, np.add)

    def __isub__(self, other):
        return self._update(other, np.subtract)

    def __imul__(self, other):
        return self._update(other, np.multiply)

    def __itruediv__(self, other):
        return self._update(other, np.true_divide)

    def clone(self):
        return ops.Clone.apply(self)

    # comparisons: elementwise, boolean Tensors; hashing stays by identity -----------------
    def _compare(self, other, op):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor.wrap_output(np.asarray(op(self.data, other)), ())

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    __hash__ = object.__hash__

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a Tensor with {self.data.size} elements is ambiguous; "
                             "use .all() or .any()")
        return bool(self.data)

    def all(self):
        return bool(np.all(self.data))

    def any(self):
        return bool(np.any(self.data))

    def detach(self):
        """The same values as a new leaf with no graph; it shares memory with this tensor."""
        return Tensor.wrap_output(LOCK.detach(self.data), ())

    def backward(self, grad=None, retain_graph=False, create_graph=False, *, gradient=None):
        """Backpropagate from this tensor. A non-scalar tensor needs `grad` (dL/dself; PyTorch's `gradient=`)."""
        if gradient is not None:
            grad = gradient
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient only works on a scalar, but this tensor has shape "
                    f"{self.shape}; pass grad= with that shape (the upstream dL/d(output))."
                )
            grad = np.ones(self.data.shape, self.data.dtype)  # (np.ones_like costs ten times more)
        else:
            grad = _as_array(grad, self.dtype)
            gradient_shape(grad.shape, self.shape, "backward(grad=...)")
        if not self.requires_grad and self._extras is not autodiff.NO_GRAPH:
            raise RuntimeError("this tensor does not require grad: none of its inputs has requires_grad=True")
        autodiff.backward(self, grad, retain_graph=retain_graph or create_graph, create_graph=create_graph)

    # arithmetic -------------------------------------------------------------
    def _lift(self, x, symbol=""):
        if isinstance(x, Tensor):
            return x
        if isinstance(x, autodiff.Node):
            raise TypeError(f"unsupported operand for Tensor {symbol} {type(x).__name__}: a Tensor and a "
                            f"{type(x).__name__} can't be mixed in one operation (use Tensors throughout, or "
                            f"{type(x).__name__}s throughout)")
        # Numbers and boolean masks take this tensor's dtype, as in NumPy (float32 * mask stays float32).
        # An array operand is shared, not copied: while a graph holds it, it is read-only.
        same = is_real(x) or getattr(x, "dtype", None) == np.bool_
        return Tensor.wrap_output(_as_array(x, self.dtype if same else None, copy=COPY_IF_NEEDED), ())

    def __matmul__(self, o):
        return matmul(self, self._lift(o))

    def __rmatmul__(self, o):
        return matmul(self._lift(o), self)

    def maximum(self, o):
        return ops.Maximum.apply(self, self._lift(o))

    # Reductions take NumPy's axis=/keepdims= or PyTorch's dim=/keepdim=.
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return ops.Sum.apply(self, *_reduction(self, "sum", axis, keepdims, dim, keepdim))

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return ops.Mean.apply(self, *_reduction(self, "mean", axis, keepdims, dim, keepdim))

    # max and min: NumPy's axis= gives the values; PyTorch's dim (positional or dim=) gives (values, indices).
    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The largest entry: of all, over NumPy's `axis=` (a Tensor), or, as in PyTorch, over one `dim`
        (a pair `(values, indices)`); `t.max(other)` is the elementwise `maximum`. On a tie the first
        maximal entry (in C order) gets the gradient."""
        return self._extreme("max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The smallest entry, with max's forms; on a tie the first minimal entry gets the gradient."""
        return self._extreme("min", dim, keepdim, axis, keepdims)

    def _extreme(self, name, dim, keepdim, axis, keepdims):
        if isinstance(dim, Tensor):  # PyTorch's t.max(other)
            return self.maximum(dim) if name == "max" else -(-self).maximum(-dim)
        if dim is not None and axis is not None:
            raise TypeError(f"{name}: give dim (PyTorch's) or axis (NumPy's), not both")
        if dim is not None and not is_int(dim):
            raise TypeError(f"{name}(dim) takes one dimension (an int) and returns (values, indices), as in "
                            f"PyTorch; got dim={dim!r}. For the values over several axes, write {name}(axis={dim!r})")
        keep = keepdim if keepdims is None else keepdims
        axis, keep = _reduction(self, name, axis if dim is None else dim, keep, None, None, empty_ok=False)
        flip = name == "min"  # min(x) = -max(-x)
        source = -self if flip else self
        values = ops.Max.apply(source, axis, keep)
        values = -values if flip else values
        if dim is None:
            return values
        indices = np.argmax(source.data, axis=axis, keepdims=keep)
        return ValuesIndices(values, Tensor.wrap_output(np.asarray(indices), ()))

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Positions of the largest entries (an integer Tensor, no gradient)."""
        axis, keepdims = _reduction(self, "argmax", axis, keepdims, dim, keepdim, empty_ok=False)
        if isinstance(axis, tuple):
            raise TypeError("argmax takes one axis (an int) or None")
        return Tensor.wrap_output(np.asarray(np.argmax(self.data, axis=axis, keepdims=keepdims)), ())

    def pow(self, exponent):
        return self ** exponent

    def sqrt(self):
        return self ** 0.5

    def sin(self):
        return ops.Sin.apply(self)

    def cos(self):
        return ops.Cos.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    __abs__ = abs

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        """x limited to [min, max]. A Tensor bound gets the gradient where it is the one that holds."""
        if min is None and max is None:
            raise ValueError("clamp needs min, max or both")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return self._clamp_by(None if min is None else self._lift(min), None if max is None else self._lift(max))
        return ops.Clamp.apply(self, min, max)

    def _clamp_by(self, low, high):
        """clamp with bounds in the graph, as PyTorch routes it: x gets the gradient where low <= x <= high (so on
        a tie), low where x < low < high, high where x > high or high < low; at NaN none does."""
        x, lo, hi = self.data, None if low is None else low.data, None if high is None else high.data
        parts = [(self, (True if lo is None else x >= lo) & (True if hi is None else x <= hi))]
        if low is not None:
            parts.append((low, (x < lo) & (True if hi is None else lo < hi)))
        if high is not None:
            parts.append((high, (x > hi) | (False if lo is None else hi < lo)))
        out = sum(ops.Select.apply(t, mask) for t, mask in parts)  # selects: no -0.0 gradients
        value = x if lo is None else np.maximum(x, lo)
        value = value if hi is None else np.minimum(value, hi)
        nan = np.isnan(value) & ~np.isnan(out.data)  # NaN's value, with no gradient (or high's, if high < low)
        return out + np.where(nan, value, np.zeros((), value.dtype)) if nan.any() else out

    def norm(self, p="fro", dim=None, keepdim=False):
        """The Euclidean (Frobenius) norm sqrt(sum(x²)), of all entries or over `dim`, as PyTorch's `norm`.
        Its slope at a zero vector is 0."""
        if p not in (2, "fro", None):
            raise ValueError(f"norm: only the Euclidean norm (p=2, or 'fro') is available, got p={p!r}")
        return ops.Norm.apply(self, *_reduction(self, "norm", None, keepdim, dim, None))

    def softmax(self, axis=-1, *, dim=None):
        """exp(x) / sum(exp(x)) along one axis (PyTorch's `dim`)."""
        return ops.Softmax.apply(self, self._softmax_axis(axis, dim, "softmax"))

    def log_softmax(self, axis=-1, *, dim=None):
        return ops.LogSoftmax.apply(self, self._softmax_axis(axis, dim, "log_softmax"))

    def _softmax_axis(self, axis, dim, name):
        axis = axis if dim is None else dim
        return None if axis is None else dimension(axis, self.ndim, name)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return ops.Reshape.apply(self, tuple(shape))

    def transpose(self, *axes):
        """PyTorch's `transpose(dim0, dim1)` swaps two dimensions. NumPy's forms stay: no argument reverses
        them all, and a tuple (or three or more ints) is a permutation (PyTorch's `permute`)."""
        if len(axes) == 2 and all(is_int(a) for a in axes):
            d0, d1 = (dimension(a, self.ndim, "transpose") for a in axes)
            order = list(range(self.ndim))
            if order:
                order[d0], order[d1] = order[d1], order[d0]
            return ops.Transpose.apply(self, tuple(order))
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return ops.Transpose.apply(self, tuple(axes) if axes else None)

    def permute(self, *dims):
        """The dimensions in the order `dims` (PyTorch's permute, NumPy's transpose(axes))."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return ops.Transpose.apply(self, tuple(dims))

    def view(self, *shape):
        return self.reshape(*shape)

    def flatten(self, start_dim=0, end_dim=-1):
        """Dimensions start_dim to end_dim (all by default) merged into one, as PyTorch's flatten."""
        if self.ndim == 0:
            dimension(start_dim, 0, "flatten"), dimension(end_dim, 0, "flatten")
            return self.reshape(1)
        start, end = dimension(start_dim, self.ndim, "flatten"), dimension(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(self.shape[:start] + (math.prod(self.shape[start:end + 1]),) + self.shape[end + 1:])

    def squeeze(self, dim=None):
        """Drop size-1 dimensions: all, or those among `dim` (an int or a tuple)."""
        axes = range(self.ndim) if dim is None else {dimension(d, self.ndim, "squeeze") for d in
                                                     (dim if isinstance(dim, tuple | list) else (dim,))}
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if n != 1 or i not in axes))

    def unsqueeze(self, dim):
        """Insert a size-1 dimension at `dim`."""
        dim = reduction_axes(dim, self.ndim + 1, "unsqueeze") % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def t(self):
        """The transpose of a matrix (PyTorch's t(): at most 2 dimensions)."""
        if self.ndim > 2:
            raise ValueError(f"t() expects at most 2 dimensions, got shape {self.shape}; use transpose(...)")
        return self.transpose()

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

    def __setitem__(self, index, value):
        raise TypeError("item assignment (t[i] = v) is not supported on a Tensor: build a new one instead, e.g. "
                        "with a mask, t * (1 - m) + v * m, or from a changed copy of its values: a = t.numpy().copy(); "
                        "a[i] = v; t = bc.tensor(a)")

    def __getitem__(self, index):
        return ops.GetItem.apply(self, _plain_index(index))


class ValuesIndices(NamedTuple):
    """What `t.max(dim)` and `t.min(dim)` return, as PyTorch's do: the values and their positions."""

    values: "Tensor"
    indices: "Tensor"


def _reduction(t, name, axis, keepdims, dim, keepdim, empty_ok=True):
    """(axis, keepdims) checked, from NumPy's or PyTorch's spelling."""
    if dim is not None:
        # PyTorch's dim=() reduces every dimension (NumPy's axis=() reduces none)
        axis = None if isinstance(dim, tuple | list) and not dim else dim
    if keepdim is not None:
        keepdims = keepdim
    if t.ndim == 0 and axis is not None:  # PyTorch's: a 0-d tensor's one "dimension" is 0 (or -1), and all of it
        for a in axis if isinstance(axis, tuple | list) else (axis,):
            dimension(a, 0, name)
        axis = None
    axis = reduction_axes(axis, t.ndim, name)
    if not empty_ok and (t.data.size == 0 if axis is None else any(t.shape[a] == 0 for a in
                                                                    ((axis,) if isinstance(axis, int) else axis))):
        raise ValueError(f"{name} of an empty tensor (shape {t.shape}) over axis {axis} has no value")
    return axis, bool(keepdims)


def _plain_index(index):
    """An index with Tensors replaced by arrays: booleans are masks, whole numbers positions."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if not isinstance(index, Tensor):
        return index
    a = index.data
    if a.dtype.kind == "f":
        if not np.all(a == np.round(a)):
            bad = a[a != np.round(a)].ravel()[0]
            raise TypeError(f"a Tensor index must hold integers or booleans, got the float {bad}: "
                            "index with whole numbers, or with a boolean mask such as t > 0")
        return a.astype(np.intp)
    return a


# PyTorch's names for its gradient nodes, where they differ from this engine's Functions.
_TORCH_NAMES = {"PowConst": "Pow", "MatMul": "Mm", "ReLU": "Relu", "GetItem": "Index", "Reshape": "View",
                "Transpose": "Permute", "Maximum": "Maximum", "BroadcastTo": "Expand",
                "Norm": "LinalgVectorNorm"}


class GradFn:
    """What `t.grad_fn` shows: the Function that made `t`, under PyTorch's name."""

    def __init__(self, node):
        self.function = node._fn

    def name(self):
        name = self.function.__name__
        return f"{_TORCH_NAMES.get(name, name)}Backward0"

    def __repr__(self):
        return f"<{self.name()}>"


def matmul(x, y):
    """x @ y with NumPy's rules: 1-D operands are promoted, then squeezed again."""
    xs, ys = x.data.shape, y.data.shape  # (read once: this runs for every layer of every step)
    if not xs or not ys:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {x.shape} and {y.shape}")
    if xs[-1] != ys[-2 if len(ys) > 1 else 0]:
        raise ValueError(
            f"matmul shape mismatch: x has shape {x.shape} and y has shape {y.shape}; "
            f"x's last dimension ({x.shape[-1]}) must equal y's "
            f"{'second-to-last' if y.ndim > 1 else 'only'} dimension ({y.shape[-2 if y.ndim > 1 else 0]})."
        )
    x2 = x.reshape(1, -1) if len(xs) == 1 else x
    y2 = y.reshape(-1, 1) if len(ys) == 1 else y
    try:
        out = ops.MatMul.apply(x2, y2)
    except ValueError as err:  # batch dimensions that do not broadcast
        raise ValueError(f"matmul shape mismatch: {x.shape} @ {y.shape}: {err}") from None
    if len(xs) == 1 or len(ys) == 1:
        rows = () if x.ndim == 1 else out.shape[-2:-1]
        cols = () if y.ndim == 1 else out.shape[-1:]
        out = out.reshape(out.shape[:-2] + rows + cols)
    return out


# The constructors live in creation.py; `backprop_course.tensor.zeros` and the like stay importable from here.
# (Imported last: creation.py needs Tensor.)
from .creation import (  # noqa: E402, F401
    cat,
    eye,
    from_numpy,
    generator,
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
