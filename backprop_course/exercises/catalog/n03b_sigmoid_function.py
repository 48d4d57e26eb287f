"""Notebook 03: the sigmoid as one primitive, a `Function` with forward and backward."""

import numpy as np

from ...autodiff import Function
from ..checking import CHAIN_RULE, IN_PLACE, NUMERIC, SIGMOID_LOCAL, SIGMOID_ONE_MINUS
from ..functions import FORWARD_PART, IMPORTS, function, function_cases, outputs_of, run_function, unchanged
from ..registry import Exercise, Mistake


class Sigmoid(Function):
    """σ(x) = 1 / (1 + e^(−x)) as one primitive. x is a float or an ndarray: use numpy."""

    @staticmethod
    def forward(ctx, x):
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)  # the local gradient needs only the output
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out * (1 - out)  # local gradient (1 − σ)σ times upstream


def _sigmoid_saving_output(local):
    def forward(ctx, x):
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)
        return out
    return function(forward, lambda ctx, g: local(ctx.saved_tensors[0], g), "Sigmoid")


def _sigmoid_in_place(ctx, g):
    (out,) = ctx.saved_tensors
    out *= 1 - out  # writes into forward's output
    return g * out


def _forward_of_input(ctx, x):
    ctx.save_for_backward(x)
    return 1 / (1 + np.exp(-x))


def _sigmoid_cases():
    rng = np.random.default_rng(2)
    points = [(1.0, 1.0), (0.0, 1.0), (-2.5, 0.5), (6.0, 2.0)] + [
        (float(x), float(g)) for x, g in zip(rng.uniform(-4, 4, 3).round(3), rng.uniform(-3, 3, 3).round(3),
                                             strict=True)]
    return function_cases("Sigmoid", [((x,), g) for x, g in points],
                          [((rng.normal(0, 3, (3, 4)),), rng.normal(0, 1, (3, 4)))])


EXERCISE = Exercise(
    id="sigmoid_function",
    title="Sigmoid as one primitive",
    notebook="03",
    section="6",
    points=2,
    prompt="Write `Sigmoid`, a `Function` for σ(x) = 1 / (1 + e^(−x)) as one primitive, forward and backward. "
           "It must work on floats (Value) and ndarrays (Tensor).",
    reference=Sigmoid,
    cases=_sigmoid_cases,
    outputs=outputs_of(1),
    probe=run_function,
    diagnoses=(unchanged,),
    near_miss=NUMERIC,
    otherwise="Check forward against σ(x) = 1 / (1 + e^(−x)) and backward against the local gradient × upstream.",
    mistakes=(
        Mistake(_sigmoid_saving_output(lambda out, g: g * out), SIGMOID_LOCAL),
        Mistake(_sigmoid_saving_output(lambda out, g: g * (1 - out)), SIGMOID_ONE_MINUS),
        Mistake(_sigmoid_saving_output(lambda out, g: out * (1 - out)), CHAIN_RULE),
        Mistake(function(_sigmoid_saving_output(None).forward, _sigmoid_in_place, "Sigmoid"), IN_PLACE),
        Mistake(function(_forward_of_input, lambda ctx, g: g * ctx.saved_tensors[0] * (1 - ctx.saved_tensors[0]),
                          "Sigmoid"),
                "Your backward put the input x where the formula σ(1 − σ) needs σ(x): at x = 2 that gives "
                "2·(1 − 2) = −2 instead of 0.105."),
        Mistake(function(lambda ctx, x: 1 / (1 + np.exp(x)), lambda ctx, g: -g, "Sigmoid"),
                "forward must return σ(x) = 1 / (1 + e^(−x)) (mind the minus sign in the exponent)."),
    ),
    hints=(
        (FORWARD_PART, "Use np.exp, which works for floats and arrays alike. Whatever backward needs, forward "
                       "must keep with ctx.save_for_backward."),
        "Which value does the local gradient (1 − σ)σ need, and which values has forward already computed?",
        "Numbers to check against: at x = 0 forward gives 0.5 and backward (upstream 1) gives 0.25; at x = 1, "
        "0.7311 and 0.19661; at x = 6, 0.99753 and 0.00247. On a (3, 4) array both have shape (3, 4).",
    ),
    imports=IMPORTS,
)
