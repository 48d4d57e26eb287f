"""Checking a learner's `Function` subclass: forward, backward through Values and Tensors, central differences."""

from __future__ import annotations

import numbers

import numpy as np

from ..autodiff import no_grad
from ..tensor import Tensor
from ..value import Value
from .checking import Failure, compare, fmt, require_function_class

NUMERIC = ("Your backward disagrees with central differences of your own forward, (f(x+h) − f(x−h)) / 2h: "
           "backward must return the derivative of exactly what forward computes.")


def forward_raw(cls, inputs):
    """Run forward on plain numbers or arrays, no graph; check it returned a number/array."""
    out = cls.apply(*inputs)
    if isinstance(out, bool) or not isinstance(out, (numbers.Real, np.ndarray)):
        raise Failure(f"forward must return a number for numbers and an array for arrays; it returned "
                      f"{type(out).__name__} {out!r:.40} (is a `return` missing?)")
    return out


def on_values(cls, inputs, upstream):
    """(output, input gradients) with Values, `upstream` flowing into the output."""
    leaves = [Value(v) for v in inputs]
    out = cls.apply(*leaves)
    (out * upstream).backward()
    return out.data, tuple(leaf.grad for leaf in leaves)


def on_tensors(cls, arrays, upstream):
    """(output, input gradients) with Tensors; `upstream` is dL/d(output)."""
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = cls.apply(*leaves)
    out.backward(upstream)
    return out.data, tuple(np.zeros_like(a) if leaf.grad is None else leaf.grad.data
                           for a, leaf in zip(arrays, leaves, strict=True))


def numeric_gradient(cls, inputs, upstream, h=1e-6):
    """upstream × central differences of the learner's forward, one input at a time."""
    grads = []
    with no_grad():
        for i in range(len(inputs)):
            plus, minus = list(inputs), list(inputs)
            plus[i] += h
            minus[i] -= h
            grads.append(upstream * (float(forward_raw(cls, plus)) - float(forward_raw(cls, minus))) / (2 * h))
    return tuple(grads)


def check_function(t, cls, name, *, forward, backward, value_cases, tensor_cases, forward_why,
                   alternatives=lambda inputs, g: [], smooth=True):
    """Check a Function subclass against the true `forward(*inputs)` and `backward(inputs, g)`.

    `value_cases` are (inputs, upstream) for Values, `tensor_cases` the same
    with arrays; `alternatives(inputs, g)` gives the gradients known
    misconceptions produce, with their explanations. `smooth=False` skips
    the central-difference comparison at points where forward has a kink.
    """
    require_function_class(cls, name)
    grad_names = tuple(f"dL/d{n}" for n in _input_names(len(value_cases[0][0])))
    for inputs, g in value_cases:
        args = ", ".join(fmt(v) for v in inputs)
        t.case(f"{name}.forward on numbers ({args})")
        compare((forward_raw(cls, inputs),), (forward(*inputs),), ("the output",), otherwise=forward_why)
        t.case(f"{name}.apply on Values ({args}) with upstream gradient {fmt(g)}")
        out, grads = on_values(cls, inputs, g)
        compare((out,), (forward(*inputs),), ("the output",), otherwise=forward_why)
        compare(grads, backward(inputs, g), grad_names, alternatives(inputs, g))
        if smooth:
            t.case(f"{name}.backward against central differences at ({args})")
            numeric = numeric_gradient(cls, inputs, g)
            if not np.allclose(grads, numeric, rtol=1e-4, atol=1e-6):
                raise Failure(NUMERIC, expected=f"{', '.join(grad_names)} ≈ {fmt(numeric)}", got=fmt(grads))
    for arrays, g in tensor_cases:
        shapes = " and ".join(str(a.shape) for a in arrays)
        t.case(f"{name}.apply on Tensors of shape {shapes}")
        before = [a.copy() for a in arrays]
        in_place = Failure("Your Function changed its input array in place. Forward's inputs (and what it saves "
                           "for backward) must stay as they were: compute new arrays instead of writing into them.")
        try:
            out, grads = on_tensors(cls, arrays, g)
        except ValueError as err:  # the engine keeps saved arrays read-only until backward has used them
            if "read-only" in str(err):
                raise in_place from None
            raise
        if any(not np.array_equal(a, b) for a, b in zip(arrays, before, strict=True)):
            raise in_place
        compare((out,), (forward(*arrays),), ("the output",), otherwise=forward_why)
        # Function.apply sums broadcast gradients back to each input's shape; so does the truth here.
        compare(grads, _fit(backward(arrays, g), arrays), grad_names,
                [(_fit(alt, arrays), why) for alt, why in alternatives(arrays, g)])


def sum_to(grad, shape):
    """`grad` summed over the axes that broadcasting added to reach its shape from `shape`."""
    grad = np.asarray(grad, float)
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1), keepdims=True)


def _fit(grads, arrays):
    return tuple(sum_to(g, a.shape) for g, a in zip(grads, arrays, strict=True))


def _input_names(n):
    return ("x",) if n == 1 else ("x", "y", "z")[:n]
