"""Notebook 03: the lecture's Multiply, a `Function` that keeps its inputs in its ctx."""

import numpy as np

from ...autodiff import Function
from ...value import Value
from ..checking import CHAIN_RULE, MUL_SWAPS, NUMERIC
from ..functions import FORWARD_PART, IMPORTS, function, function_cases, outputs_of, run_function, unchanged
from ..registry import Case, Exercise, Mistake


class Multiply(Function):
    """The lecture's Multiply: z = x·y. Its backward returns one gradient per input, in order."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y * grad_z, x * grad_z  # the swap: each input gets the *other* one


def _saving_inputs(backward):
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y
    return function(forward, lambda ctx, g: backward(*ctx.saved_tensors, g), "Multiply")


class _MultiplyClassState(Function):
    saved = None

    @staticmethod
    def forward(ctx, x, y):
        _MultiplyClassState.saved = (x, y)  # one slot for every call: the next forward overwrites it
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = _MultiplyClassState.saved
        return y * grad_z, x * grad_z


def _two_nodes(cls):
    """(a·b)·3 + (c·d)·(−2), both nodes built before backward: (L, dL/da, dL/db)."""
    a, b, c, d = (Value(v) for v in (1.5, -2.0, 0.5, 4.0))
    out = cls.apply(a, b) * 3.0 + cls.apply(c, d) * -2.0
    out.backward()
    return out.data, a.grad, b.grad


def _fork(cls):
    """z = a·a: (z, dz/da, dz/da)."""
    a = Value(-1.5)
    out = cls.apply(a, a)
    out.backward()
    return out.data, a.grad, a.grad


def _multiply_cases():
    rng = np.random.default_rng(3)
    values = [((2.0, 3.0), 5.0), ((4.0, -3.0), 1.0)] + [
        (tuple(float(v) for v in rng.uniform(-4, 4, 2).round(3)), round(float(rng.uniform(-3, 3)), 3))
        for _ in range(4)]
    arrays = [((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), rng.normal(size=(3, 4))),
              ((rng.normal(size=(3, 4)), rng.normal(size=4)), rng.normal(size=(3, 4)))]
    return function_cases("Multiply", values, arrays, extra=[
        Case("two Multiply nodes in one graph, both built before backward: (a·b)·3 + (c·d)·(−2)", (_two_nodes,)),
        Case("a fork: z = a·a, so dz/da = 2a", (_fork,)),
    ])


EXERCISE = Exercise(
    id="multiply_function",
    title="The lecture's Multiply, with ctx",
    notebook="03",
    section="8",
    points=2,
    prompt="Write `Multiply`, the lecture's Function: forward saves its inputs with ctx.save_for_backward and "
           "returns x·y; backward returns one gradient per input.",
    reference=Multiply,
    cases=_multiply_cases,
    outputs=outputs_of(2),
    probe=run_function,
    diagnoses=(unchanged,),
    near_miss=NUMERIC,
    mistakes=(
        Mistake(_saving_inputs(lambda x, y, g: (x * g, y * g)), MUL_SWAPS),
        Mistake(_saving_inputs(lambda x, y, g: (y, x)), CHAIN_RULE),
        Mistake(_saving_inputs(lambda x, y, g: (g, g)), "That is the add gate's rule (a distributor). " + MUL_SWAPS),
        Mistake(_MultiplyClassState, "Each call of forward must keep its own inputs in its own ctx "
                                     "(ctx.save_for_backward): a value stored elsewhere is overwritten by the next "
                                     "forward before backward runs."),
    ),
    hints=(
        (FORWARD_PART, "forward: keep x and y for later with ctx.save_for_backward, then return the product."),
        "backward: get x and y back from ctx.saved_tensors. Each input gets the *other* input times grad_z.",
        "Numbers to check against: x = 2, y = 3 with upstream 5 gives (15, 10); with x and y of shape (3, 4), "
        "forward's output and both gradients have shape (3, 4).",
    ),
    imports=IMPORTS,
)
