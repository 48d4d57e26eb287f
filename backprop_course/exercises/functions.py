"""Running a learner's `Function` subclass: its forward and backward called directly, by hand, and through the
engine on Values and Tensors; the names of its outputs, its cases, and the diagnosis of a write in place."""

from __future__ import annotations

import numbers

import numpy as np

from ..autodiff import Context, Function, differentiation_disabled
from ..tensor import Tensor
from ..value import Value
from .checking import BY_HAND, IN_PLACE, Failure, Seen, as_numbers, fmt, library_rules, watching
from .registry import Case

IMPORTS = "import numpy as np\n\nfrom backprop_course import Function"
FORWARD_PART = "the output"
INPUTS = "xy"  # the inputs' names, in order
BEFORE, AFTER = " before forward", " after backward"  # the names of a value as it was then


def outputs_of(arity):
    """The outputs compared for a Function of `arity` inputs: forward's output, then one gradient per input."""
    return (FORWARD_PART, *(f"dL/d{name}" for name in INPUTS[:arity]))


def function(forward, backward, name):
    """A Function subclass from two plain functions (for writing mistakes in one line each)."""
    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward)})


def by_hand(cls, inputs, upstream):
    """The outputs from calling cls.forward and cls.backward ourselves, with the engine off, and the inputs
    before and after, and forward's output as it was once backward had run (for `unchanged`)."""
    ctx = Context.by_hand(len(inputs))
    before = {f"{name}{BEFORE}": np.copy(v) for name, v in zip(INPUTS, inputs, strict=False)}
    with differentiation_disabled(BY_HAND), watching(library_rules()) as used:
        out = cls.forward(ctx, *inputs)
        if isinstance(out, bool) or not isinstance(out, (numbers.Real, np.ndarray)):
            raise Failure(f"forward must return a number for numbers and an array for arrays; it returned "
                          f"{type(out).__name__} (is a `return` missing?)", part=FORWARD_PART)
        out_kept = np.copy(out)
        grads = cls.backward(ctx, upstream)
    if used:
        raise Failure(used[0])
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    names = outputs_of(len(inputs))
    after = {f"{name}{AFTER}": v for name, v in zip((FORWARD_PART, *INPUTS), (out, *inputs), strict=False)}
    return Seen(zip(names, as_numbers((out_kept, *grads), names), strict=True), **before, **after)


def unchanged(seen, way, *args):
    """The diagnosis: by hand, backward left the inputs and forward's output as they were."""
    if way != "by hand":
        return
    kept = [(FORWARD_PART, seen[FORWARD_PART])] + [(n, seen[n + BEFORE]) for n in INPUTS if n + BEFORE in seen]
    if not all(np.array_equal(seen[name + AFTER], value, equal_nan=True) for name, value in kept):
        raise Failure(IN_PLACE)


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
    """The probe of a Function exercise: `way` is "by hand", "Values" or "Tensors" (or a callable)."""
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
