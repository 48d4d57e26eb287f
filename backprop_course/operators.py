"""Python's operators and the elementwise methods, as Function applications.

`Value` and `Tensor` share them; each front-end says, in `_lift`, how a plain
number (or array) on the other side of an operator becomes a node.
"""

from . import ops
from .checks import is_real


class Operators:
    __slots__ = ()

    def _lift(self, other, symbol):
        raise NotImplementedError

    def __add__(self, other):
        return ops.Add.apply(self, self._lift(other, "+"))

    def __radd__(self, other):
        return ops.Add.apply(self._lift(other, "+"), self)

    def __sub__(self, other):
        return ops.Sub.apply(self, self._lift(other, "-"))

    def __rsub__(self, other):
        return ops.Sub.apply(self._lift(other, "-"), self)

    def __mul__(self, other):
        return ops.Mul.apply(self, self._lift(other, "*"))

    def __rmul__(self, other):
        return ops.Mul.apply(self._lift(other, "*"), self)

    def __truediv__(self, other):
        return ops.Div.apply(self, self._lift(other, "/"))

    def __rtruediv__(self, other):
        return ops.Div.apply(self._lift(other, "/"), self)

    def __pow__(self, other):
        if is_real(other):  # a fixed exponent: one input, and a clean "**2" in pictures
            return ops.PowConst.apply(self, other)
        return ops.Pow.apply(self, self._lift(other, "**"))

    def __rpow__(self, other):
        return ops.Pow.apply(self._lift(other, "**"), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.ReLU.apply(self)
