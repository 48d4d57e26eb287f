"""`Value`: a scalar that remembers how it was computed (micrograd-compatible)."""

from . import autodiff
from .checks import is_real, label_text
from .operators import Operators

# micrograd's `_op` strings where this engine's short names differ.
_MICROGRAD_OPS = {"relu": "ReLU"}


class Value(Operators, autodiff.Node):
    """A float node. `.data` and `.grad` are Python floats.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)

    micrograd's constructor `Value(data, _children=(), _op='', label='')` is
    accepted for leaves. Children are refused: an edge needs its local
    derivative, so operations are written with operators, methods or a
    `Function`. `a == b` is identity, as in micrograd (so Values work in sets
    and dicts); `<`, `<=`, `>`, `>=` compare `.data`.
    """

    __slots__ = ()

    def __new__(cls, data, _children=(), _op="", label=""):
        if isinstance(_children, str):  # Value(2.0, "x"): the second argument is the label
            _children, label = (), _children
        elif _children == () or _children is None or (isinstance(_children, list | set | frozenset)
                                                      and not _children):
            pass
        else:
            raise TypeError(
                f"Value(data, _children) can't record an edge to {_children!r} without its local derivative. "
                "Build new Values with operators and methods (a * b, a.exp()) or a Function subclass; "
                "pass a label as a string: Value(2.0, 'a') or Value(2.0, label='a')."
            )
        if type(data) is not float:  # the common case skips the slow abstract-class checks
            if isinstance(data, Value):
                data = data.data
            if not is_real(data):
                raise TypeError(f"Value needs a real number, got {type(data).__name__} {data!r}")
            data = float(data)
        # A float object of its own: a graph tells nodes apart by their data objects when it re-records a backward.
        node = cls._wrap_output(data * 1.0, ())
        if label:
            node.label = label_text(label)
        return node

    @classmethod
    def _wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        out = object.__new__(cls)
        if type(data) is not float:
            if not is_real(data):
                name = fn.__name__ if fn else "Value"
                raise TypeError(f"{name}.forward returned {type(data).__name__} {data!r}; "
                                "on Values it must return one number")
            data = float(data)
        out.data = data
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
        index = autodiff.argument_position(node, index)
        raise ValueError(
            f"{node._fn.__name__}.backward returned {type(grad).__name__} {grad!r} as the gradient of input "
            f"{index}; a Value's gradient must be a real number."
        )

    def backward(self, grad=1.0):
        """Seed this node's gradient with `grad` (1 by default) and backpropagate; leaves accumulate."""
        if not is_real(grad):
            raise TypeError(f"backward(grad) needs a number, got {type(grad).__name__} {grad!r}")
        autodiff.backward(self, float(grad), retain_graph=True)

    # --- micrograd's surface --------------------------------------------------------
    @property
    def _prev(self):
        """The set of parents, as micrograd keeps them."""
        return set(self.parents)

    @property
    def _op(self):
        """micrograd's name for the operation that made this node ('+', '*', '**2', 'ReLU', 'tanh', 'exp')."""
        if self._fn is None:
            return ""
        if self.op == "**" and self._extras and "c" in self._extras:  # PowConst keeps its exponent as ctx.c
            return f"**{self._extras['c']}"
        return _MICROGRAD_OPS.get(self.op, self.op)

    def _backward(self):
        """This node's own step of the backward pass: add its contribution into its parents' `.grad`."""
        if self._fn is None:
            return
        for parent, g in zip(self.parents, autodiff.node_vjp(self, self.grad), strict=True):
            if g is not None:
                parent.grad += g

    def __lt__(self, other):
        return self.data < _number(other)

    def __le__(self, other):
        return self.data <= _number(other)

    def __gt__(self, other):
        return self.data > _number(other)

    def __ge__(self, other):
        return self.data >= _number(other)

    __hash__ = object.__hash__  # identity, so graphs, sets and dicts of Values work

    def _lift(self, other, symbol):
        if isinstance(other, Value):
            return other
        if not is_real(other):
            raise TypeError(
                f"unsupported operand for Value {symbol} {type(other).__name__}: {other!r} (use a number or a Value)"
            )
        return Value._wrap_output(float(other) * 1.0, ())  # a float object of its own, as in __new__

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"


def _number(x):
    if isinstance(x, Value):
        return x.data
    if not is_real(x):
        raise TypeError(f"a Value compares with a number or a Value, not {type(x).__name__} {x!r}")
    return x
