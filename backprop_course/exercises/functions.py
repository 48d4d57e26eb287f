"""Running a learner's `Function` subclass: its forward and backward called directly, by hand, and through the
engine on Values and Tensors."""

from __future__ import annotations

import numbers

import numpy as np

from ..autodiff import Context, differentiation_disabled
from ..tensor import Tensor
from ..value import Value
from .checking import BY_HAND, IN_PLACE, Failure, fmt, library_rules, watching
from .registry import Case


def _same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def by_hand(cls, inputs, upstream):
    """(output, *input gradients) from calling cls.forward and cls.backward ourselves, with the engine off."""
    ctx = Context.by_hand(len(inputs))
    kept = [np.copy(v) for v in inputs]
    with differentiation_disabled(BY_HAND), watching(library_rules()) as used:
        out = cls.forward(ctx, *inputs)
        if isinstance(out, bool) or not isinstance(out, (numbers.Real, np.ndarray)):
            raise Failure(f"forward must return a number for numbers and an array for arrays; it returned "
                          f"{type(out).__name__} (is a `return` missing?)", part="the output")
        out_kept = np.copy(out)
        grads = cls.backward(ctx, upstream)
    if used:
        raise Failure(used[0])
    if not _same(out, out_kept) or not all(_same(a, b) for a, b in zip(inputs, kept, strict=True)):
        raise Failure(IN_PLACE)
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    return (out, *grads)


def on_values(cls, inputs, upstream):
    leaves = [Value(v) for v in inputs]
    out = cls.apply(*leaves)
    (out * upstream).backward()
    return (out.data, *(leaf.grad for leaf in leaves))


def on_tensors(cls, arrays, upstream):
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = cls.apply(*leaves)
    out.backward(upstream)
    return (out.data, *(np.zeros_like(a) if leaf.grad is None else leaf.grad.data
                        for a, leaf in zip(arrays, leaves, strict=True)))


WAYS = {"by hand": by_hand, "Values": on_values, "Tensors": on_tensors}


def run_function(cls, way, *args):
    """An exercise's `run` for a Function: `way` is "by hand", "Values" or "Tensors" (or a callable)."""
    return (WAYS.get(way) or way)(cls, *args)


def function_cases(name, value_cases, array_cases, extra=()):
    """Cases trying forward and backward by hand on numbers and arrays, then the engine on Values and Tensors."""
    cases = []
    for inputs, g in value_cases:
        cases.append(Case(f"{name}.forward and .backward at ({', '.join(fmt(v) for v in inputs)}) with upstream "
                          f"gradient {fmt(g)}", ("by hand", inputs, g)))
    for arrays, g in array_cases:
        shapes = " and ".join(str(a.shape) for a in arrays)
        cases.append(Case(f"{name}.forward and .backward on arrays of shape {shapes}", ("by hand", arrays, g)))
    inputs, g = value_cases[0]
    cases.append(Case(f"{name}.apply on Values ({', '.join(fmt(v) for v in inputs)}) with upstream gradient "
                      f"{fmt(g)}", ("Values", inputs, g)))
    for arrays, g in array_cases:
        cases.append(Case(f"{name}.apply on Tensors of shape {' and '.join(str(a.shape) for a in arrays)}",
                          ("Tensors", arrays, g)))
    return cases + list(extra)
