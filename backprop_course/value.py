"""`Value`: a scalar that remembers how it was computed (micrograd-compatible)."""

import math

from . import autodiff, ops
from .checks import is_real, label_text
from .operators import Operators

# micrograd's `_op` strings where this engine's short names differ.
_MICROGRAD_OPS = {"relu": "ReLU"}
_MANY = object()  # in `_b`: `_a` holds a tuple of three or more parents
_NO = object()  # in `_x`/`_y`: nothing saved there
_SEQ = object()  # in `_y`: `_x` holds what forward saved as a tuple (None once freed)


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

    # No tuples: the (at most two) inputs of a built-in op sit in `_a` and `_b`, and the (at most two)
    # numbers its forward saved in `_x` and `_y`. That keeps a node near 130 bytes, and gives the cyclic
    # collector (the main cost of a scalar training step) one container to walk per node, not three.
    __slots__ = ("data", "grad", "label", "_fn", "_a", "_b", "_x", "_y", "_extras")
    requires_grad = True  # every Value takes part in differentiation

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
        node = cls.wrap_output(data * 1.0, ())
        if label:
            node.label = label_text(label)
        return node

    @classmethod
    def wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        out = object.__new__(cls)
        if type(data) is not float:
            if not is_real(data):
                name = fn.__name__ if fn else "Value"
                raise TypeError(f"{name}.forward returned {type(data).__name__} {data!r}; "
                                "on Values it must return one number")
            data = float(data)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out._fn = fn
        n = len(parents)
        out._a = parents[0] if n else None
        out._b = parents[1] if n == 2 else None if n < 2 else _MANY
        if n > 2:
            out._a = parents
        out._saved = saved
        out._extras = extras
        return out

    @property
    def _saved(self):
        """What forward saved, as a tuple (None once freed): the engine's view of `_x` and `_y`."""
        x, y = self._x, self._y
        if y is _SEQ:
            return x
        return () if x is _NO else (x,) if y is _NO else (x, y)

    @_saved.setter
    def _saved(self, saved):
        self._x, self._y = saved, _SEQ

    @property
    def parents(self):
        """The input nodes in argument order (empty for a leaf)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        return (a,) if b is None else a if b is _MANY else (a, b)

    @staticmethod
    def fit_grad(grad, data, node, index):
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
        autodiff.check_backward(self)
        _backpropagate(self, float(grad))

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
        if type(other) is float:  # the common case: a constant leaf, built directly
            return _node(None, other * 1.0, None, None, _NO, _NO)
        if isinstance(other, Value):
            return other
        if not is_real(other):
            raise TypeError(
                f"unsupported operand for Value {symbol} {type(other).__name__}: {other!r} (use a number or a Value)"
            )
        return Value.wrap_output(float(other) * 1.0, ())  # a float object of its own, as in __new__

    # --- the built-in operations, recorded without Function.apply ---------------------------
    # A scalar training step is millions of these, so they build their node directly. Each computes
    # exactly what its Function's forward computes and saves (tests compare the two paths bitwise);
    # anything unusual (a subclass, no_grad, a disabled engine) goes through Function.apply.
    def __add__(self, other):
        if type(other) is not Value:
            other = self._lift(other, "+")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Add.apply(self, other)
        out = _new(Value)  # _node written out: + and * are most of a network's nodes
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        out._fn = _Add
        out._a = self
        out._b = other
        out._x = _NO
        out._y = _NO
        out._extras = None
        return out

    def __radd__(self, other):
        other = self._lift(other, "+")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Add.apply(other, self)
        return _node(_Add, other.data + self.data, other, self, _NO, _NO)

    def __sub__(self, other):
        if type(other) is not Value:
            other = self._lift(other, "-")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Sub.apply(self, other)
        return _node(_Sub, self.data - other.data, self, other, _NO, _NO)

    def __rsub__(self, other):
        other = self._lift(other, "-")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Sub.apply(other, self)
        return _node(_Sub, other.data - self.data, other, self, _NO, _NO)

    def __mul__(self, other):
        if type(other) is not Value:
            other = self._lift(other, "*")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Mul.apply(self, other)
        out = _new(Value)  # _node written out: + and * are most of a network's nodes
        out.data = (x := self.data) * (y := other.data)
        out.grad = 0.0
        out.label = ""
        out._fn = _Mul
        out._a = self
        out._b = other
        out._x = x
        out._y = y
        out._extras = None
        return out

    def __rmul__(self, other):
        other = self._lift(other, "*")
        if type(self) is not Value or type(other) is not Value or not autodiff._recording:
            return ops.Mul.apply(other, self)
        x, y = other.data, self.data
        return _node(_Mul, x * y, other, self, x, y)

    def __neg__(self):
        if type(self) is not Value or not autodiff._recording:
            return ops.Neg.apply(self)
        return _node(_Neg, -self.data, self, None, _NO, _NO)

    def relu(self):
        x = self.data
        if type(self) is not Value or not autodiff._recording:
            return ops.ReLU.apply(self)
        if x > 0 or x != x:  # NaN propagates, and so does its gradient, as in PyTorch
            return _node(_ReLU, x, self, None, True, _NO)
        return _node(_ReLU, 0.0, self, None, False, _NO)

    def tanh(self):
        if type(self) is not Value or not autodiff._recording:
            return ops.Tanh.apply(self)
        out = math.tanh(self.data)
        return _node(_Tanh, out, self, None, out, _NO)

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"


def _number(x):
    if isinstance(x, Value):
        return x.data
    if not is_real(x):
        raise TypeError(f"a Value compares with a number or a Value, not {type(x).__name__} {x!r}")
    return x


_Add, _Sub, _Mul, _Neg, _ReLU, _Tanh = ops.Add, ops.Sub, ops.Mul, ops.Neg, ops.ReLU, ops.Tanh
_new = object.__new__


def _node(fn, data, a, b, x, y):
    """A Value made by a built-in op from one or two inputs (what `wrap_output` makes, without its checks)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._fn = fn
    out._a = a
    out._b = b
    out._x = x
    out._y = y
    out._extras = None
    return out


def _backpropagate(root, seed):
    """The engine's backward pass, specialised to Values: gradients accumulate straight into `.grad`.

    A fresh -0.0 object marks the nodes reached (it is also where every sum starts: -0.0 + g is g,
    bit for bit), so the walk needs no visited set; the common ops' local gradients are written out
    below, the others go through their Function's backward. The sums and their order are the
    generic engine's (`autodiff.gradients`), so the gradients are the same to the last bit.
    """
    mark = math.copysign(0.0, -1.0)
    leaves = []
    try:
        order = _interior_order(root, mark, leaves)
        root.grad = seed
        for node in reversed(order):
            g = node.grad
            if g is mark:  # no gradient reached it (a Function returned None for it)
                node.grad = 0.0
                continue
            fn, y = node._fn, node._y
            if y is _SEQ:  # built by Function.apply (or freed): its own backward, below
                fn = None
            if fn is _Mul:
                node._a.grad += y * g  # the mul gate swaps its inputs
                node._b.grad += node._x * g
            elif fn is _Add:
                node._a.grad += g
                node._b.grad += g
            elif fn is _ReLU:
                node._a.grad += g if node._x else 0.0
            elif fn is _Tanh:
                out = node._x
                node._a.grad += g * (1 - out * out)
            elif fn is _Sub:
                node._a.grad += g
                node._b.grad += -g
            elif fn is _Neg:
                node._a.grad += -g
            else:
                for parent, pg in zip(node.parents, autodiff.node_vjp(node, g)):
                    if pg is not None:
                        parent.grad += pg
    except BaseException:
        for node in order if "order" in locals() else ():
            node.grad = 0.0  # partial sums would look like gradients
        for leaf, old in leaves:
            leaf.grad = old
        raise
    for leaf, old in leaves:
        g = leaf.grad
        leaf.grad = old if g is mark else g if old is None else old + g


def _interior_order(root, mark, leaves):
    """The computed nodes reachable from root, each after its parents (iterative depth-first post-order,
    the generic engine's order). Every node reached gets `.grad = mark`; the leaves are collected in
    `leaves` with their previous `.grad`, to which the new gradient is added at the end."""
    order = []
    if root._fn is None:
        leaves.append((root, root.grad))
        root.grad = mark
        return order
    root.grad = mark
    stack = [root]
    push, pop, done = stack.append, stack.pop, order.append
    while stack:
        node = stack[-1]
        a, b = node._a, node._b
        if b is _MANY:
            p = next((p for p in a if p.grad is not mark), None)
        elif a.grad is not mark:
            p = a
        elif b is not None and b.grad is not mark:
            p = b
        else:
            pop()
            done(node)
            continue
        if p is None:
            pop()
            done(node)
        elif p._fn is None:
            leaves.append((p, p.grad))
            p.grad = mark
        else:
            p.grad = mark
            push(p)
    return order
