"""`Value`: a scalar that remembers how it was computed (micrograd-compatible)."""

from . import autodiff
from .checks import is_real
from .operators import Operators


class Value(Operators, autodiff.Node):
    """A float node. `.data` and `.grad` are Python floats.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)
    """

    __slots__ = ()

    def __init__(self, data, label=""):
        if type(data) is not float:  # the common case skips the slow abstract-class checks
            if isinstance(data, Value):
                data = data.data
            if not is_real(data):
                raise TypeError(f"Value needs a real number, got {type(data).__name__} {data!r}")
            data = float(data)
        self.data = data
        self.grad = 0.0
        self.parents = ()
        self.label = label
        self.requires_grad = True
        self._fn = self._saved = self._extras = None

    @classmethod
    def _wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        out = object.__new__(cls)
        out.data = data if type(data) is float else float(data)
        out.grad = 0.0
        out.parents = parents
        out.label = ""
        out.requires_grad = True
        out._fn = fn
        out._saved = saved
        out._extras = extras
        return out

    @staticmethod
    def _fit_grad(grad, data, node, index):
        if type(grad) is float:
            return grad
        if is_real(grad):
            return float(grad)
        raise ValueError(
            f"{node._fn.__name__}.backward returned {type(grad).__name__} {grad!r} as the gradient of input "
            f"{index}; a Value's gradient must be a number."
        )

    def backward(self):
        """Seed this node's gradient with 1 and backpropagate (leaves accumulate)."""
        autodiff.backward(self, 1.0, retain_graph=True)

    def _lift(self, other, symbol):
        if isinstance(other, Value):
            return other
        if not is_real(other):
            raise TypeError(
                f"unsupported operand for Value {symbol} {type(other).__name__}: {other!r} (use a number or a Value)"
            )
        return Value(other)

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"
