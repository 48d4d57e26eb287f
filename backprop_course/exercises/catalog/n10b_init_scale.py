"""Notebook 10: the standard deviation of a layer's weights, from its fan-in and its activation."""

import numbers

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake


def init_scale(fan_in, activation):
    """Return the standard deviation for the weights of a layer with `fan_in` inputs followed by `activation`
    ("linear", "tanh" or "relu"), so that the variance of the pre-activations stays the same from layer to
    layer."""
    gain = 2.0 if activation == "relu" else 1.0   # a ReLU zeroes half its inputs: twice the variance makes up
    return float(np.sqrt(gain / fan_in))          # Var(z) = fan_in · std² · E[h²]


VARIANCE = ("That is the variance, not the standard deviation: Var(w) = gain / fan_in, so the standard deviation "
            "is its square root.")
NO_RELU_GAIN = ("A ReLU sets every negative input to 0, so it keeps only half of the variance: the relu layer "
                "needs std = √(2 / fan_in) (He initialization), twice the variance of the others.")
RELU_GAIN_EVERYWHERE = ("The factor 2 makes up for the half a ReLU throws away. A tanh or linear layer keeps "
                        "(near 0) the variance it gets, so it needs std = √(1 / fan_in): with √(2 / fan_in) "
                        "its pre-activations grow by √2 at every layer.")
TIMES_FAN_IN = ("The more inputs a unit sums, the larger its pre-activation: the standard deviation must SHRINK as "
                "fan_in grows, like 1/√fan_in.")
NOT_A_FLOAT = "Return the standard deviation as one number (a float)."


def probe(answer, fan_in, activation):
    got = answer(fan_in, activation)
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Failure(NOT_A_FLOAT, got=type(got).__name__)
    return got


def _cases():
    pairs = [(64, "relu"), (64, "tanh"), (100, "linear"), (3, "linear"), (784, "relu"), (1, "tanh")]
    return [Case(f"fan_in = {n}, activation = {a!r}", (n, a)) for n, a in pairs]


EXERCISE = Exercise(
    id="init_scale",
    title="Scale the weights by the fan-in",
    notebook="10",
    section="14",
    points=2,
    prompt="Return the standard deviation of a layer's weights, from its fan-in and the activation after it, so "
           "that the pre-activations keep their variance from layer to layer.",
    reference=init_scale,
    cases=_cases,
    outputs=("std",),
    probe=probe,
    mistakes=(
        Mistake(lambda n, a: (2.0 if a == "relu" else 1.0) / n, VARIANCE),
        Mistake(lambda n, a: 1 / np.sqrt(n), NO_RELU_GAIN),
        Mistake(lambda n, a: np.sqrt(2 / n), RELU_GAIN_EVERYWHERE),
        Mistake(lambda n, a: np.sqrt((2.0 if a == "relu" else 1.0) * n), TIMES_FAN_IN),
    ),
    hints=(
        "z = Σᵢ wᵢ·hᵢ sums fan_in products of independent, zero-mean weights: Var(z) = fan_in · Var(w) · E[h²].",
        "A linear unit passes E[h²] = Var(z) on to the next layer: ask that the next Var(z) be the same, and solve "
        "for Var(w). A ReLU passes only half of it, E[h²] = Var(z) / 2.",
        "Check: fan_in = 64 gives std 0.125 for tanh and 0.1768 for relu.",
    ),
    imports="import numpy as np",
)
