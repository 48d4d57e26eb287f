"""Notebook 03: the max gate, a `Function` that routes the gradient to the input that won."""

import numpy as np

from ...autodiff import Function
from ..checking import CHAIN_RULE, NUMERIC
from ..functions import IMPORTS, function, function_cases, outputs_of, run_function, unchanged
from ..registry import Exercise, Mistake


class MaxGate(Function):
    """z = max(x, y), elementwise. Tie rule: on x == y the FIRST input, x, gets the whole gradient."""

    @staticmethod
    def forward(ctx, x, y):
        x_wins = x >= y              # the tie rule: x wins ties
        ctx.save_for_backward(x_wins)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad_z):
        (x_wins,) = ctx.saved_tensors
        return grad_z * x_wins, grad_z * (1 - x_wins)  # the router: all to the winner, 0 to the other


def _routes(x_mask, y_mask):
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * x_mask(x, y), g * y_mask(x, y)
    return function(forward, backward, "MaxGate")


def _max_not(ctx, g):
    (x_wins,) = ctx.saved_tensors
    return g * x_wins, g * ~x_wins


TIE_RULE = "The course's tie rule: on a tie (x == y) the first input, x, gets the whole gradient and y gets 0."


def _max_cases():
    rng = np.random.default_rng(5)
    values = [((4.0, 5.0), 9.0), ((4.0, 2.0), 1.0), ((3.0, 3.0), 2.0), ((-1.5, -1.5), -4.0)] + [
        (tuple(float(v) for v in rng.integers(-3, 4, 2)), round(float(rng.uniform(-3, 3)), 3)) for _ in range(4)]
    x = rng.integers(-2, 3, (3, 5)).astype(float)
    y = rng.integers(-2, 3, (3, 5)).astype(float)
    return function_cases("MaxGate", values, [((x, y), rng.uniform(-3, 3, (3, 5)))])


EXERCISE = Exercise(
    id="max_gate",
    title="The max gate routes",
    notebook="03",
    section="7",
    points=2,
    prompt="Write `MaxGate`, a `Function` for z = max(x, y), elementwise, forward and backward. The course's tie "
           "rule: on x == y the first input, x, gets the whole gradient.",
    reference=MaxGate,
    cases=_max_cases,
    outputs=outputs_of(2),
    probe=run_function,
    diagnoses=(unchanged,),
    near_miss=NUMERIC,
    otherwise="forward must return the larger of x and y, and backward route the whole upstream gradient to it.",
    mistakes=(  # the tie mistakes first: at a tie "to the loser" looks like "y wins ties"
        Mistake(_routes(lambda x, y: (x > y) + 0.5 * (x == y), lambda x, y: (x < y) + 0.5 * (x == y)),
                "You split the gradient on a tie. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x >= y, lambda x, y: x <= y),
                "On a tie you sent the gradient to both inputs, which doubles it. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x > y, lambda x, y: x <= y), "On a tie you gave the gradient to y. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x < y, lambda x, y: x >= y),
                "The max gate routes the upstream gradient to the input that won (the larger one); the other input "
                "gets 0."),
        Mistake(function(MaxGate.forward, lambda ctx, g: (1.0 * ctx.saved_tensors[0] + 0 * g,
                                                          1.0 - ctx.saved_tensors[0] + 0 * g), "MaxGate"), CHAIN_RULE),
        Mistake(function(MaxGate.forward, _max_not, "MaxGate"),
                "`~` on a Python bool is bitwise not on an integer (~True is −2, ~False is −1), so on numbers the "
                "loser gets a wrong gradient: use 1 - mask."),
    ),
    hints=(
        "The max gate is a router: the winner gets the upstream gradient unchanged, the loser gets 0.",
        "In forward, save which input won (with the tie rule: x wins ties), and return the elementwise maximum.",
        "Numbers to check against: max(4, 5) with upstream 9 gives (0, 9); max(3, 3) with upstream 2 gives (2, 0); "
        "on (3, 5) arrays each gradient has shape (3, 5).",
    ),
    imports=IMPORTS,
)
