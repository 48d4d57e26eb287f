"""Notebook 03: the sigmoid neuron as flat code, forward and backward by hand."""

import math

from ..cases import points, sigmoid
from ..checking import ADD_COPIES, CHAIN_RULE, MUL_SWAPS, ROUNDING, SIGMOID_LOCAL
from ..registry import Exercise, Mistake


def neuron_flat_backward(w0, x0, w1, x1, w2):
    """Return (L, dw0, dx0, dw1, dx1, dw2) for L = σ(w0·x0 + w1·x1 + w2), written as the lecture's
    flat code."""
    # forward
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    L = 1 / (1 + math.exp(-s3))
    # backward, one line per forward line, in reverse
    grad_L = 1.0
    grad_s3 = grad_L * (1 - L) * L    # sigmoid: local gradient (1 − σ)σ
    grad_w2 = grad_s2 = grad_s3       # add gates copy
    grad_s0 = grad_s1 = grad_s2
    grad_w1, grad_x1 = grad_s1 * x1, grad_s1 * w1   # mul gates swap
    grad_w0, grad_x0 = grad_s0 * x0, grad_s0 * w0
    return L, grad_w0, grad_x0, grad_w1, grad_x1, grad_w2


def _neuron(local=lambda L, s3: (1 - L) * L, swap=True, split=1.0, rounding=None, dw2=None):
    """The flat neuron with one lecture mistake switched on."""
    def answer(w0, x0, w1, x1, w2):
        s3 = w0 * x0 + w1 * x1 + w2
        L = sigmoid(s3)
        g3 = local(L, s3)
        if rounding is not None:
            g3 = round(g3, rounding)
        g0 = g3 * split * split
        last = g3 * split if dw2 is None else dw2
        if swap:
            return L, g0 * x0, g0 * w0, g0 * x1, g0 * w1, last
        return L, g0 * w0, g0 * x0, g0 * w1, g0 * x1, last
    return answer


EXERCISE = Exercise(
    id="neuron_flat_backward",
    title="The sigmoid neuron as flat code",
    notebook="03",
    section="6",
    points=3,
    prompt="Write the lecture's flat forward and backward code for the neuron L = σ(w0·x0 + w1·x1 + w2): return "
           "(L, dw0, dx0, dw1, dx1, dw2).",
    reference=neuron_flat_backward,
    cases=lambda: points((2.0, -1.0, -3.0, -2.0, -3.0), 6, 5, -2, 2, ("w0", "x0", "w1", "x1", "w2")),
    outputs=("L", "dL/dw0", "dL/dx0", "dL/dw1", "dL/dx1", "dL/dw2"),
    by_hand=True,
    mistakes=(
        Mistake(_neuron(local=lambda L, s3: L), SIGMOID_LOCAL),
        Mistake(_neuron(local=lambda L, s3: 1.0),
                "The sigmoid's local gradient is missing: grad_s3 is grad_L times the sigmoid's local gradient, "
                "not grad_L itself. " + CHAIN_RULE),
        Mistake(_neuron(rounding=1), ROUNDING),
        Mistake(_neuron(swap=False), MUL_SWAPS),
        Mistake(_neuron(split=0.5), ADD_COPIES),
        Mistake(_neuron(local=lambda L, s3: (1 - s3) * s3),
                "The sigmoid's local gradient (1 − σ)σ is about its output L = σ(s3), not its input s3."),
        Mistake(_neuron(local=lambda L, s3: math.exp(-s3)),
                "e^(−s) is only part of σ's derivative: d/ds 1/(1 + e^(−s)) = e^(−s)/(1 + e^(−s))², which is "
                "(1 − σ)σ."),
        Mistake(_neuron(dw2=1.0), "w2 enters through an add gate, which copies the gradient that arrives there "
                                  "(grad_s3), not 1."),
    ),
    otherwise="Compare your code line by line with the forward pass, in reverse.",
    hints=(
        "Forward: s0 = w0*x0, s1 = w1*x1, s2 = s0 + s1, s3 = s2 + w2, L = σ(s3). Backward: one line for each, "
        "in reverse.",
        "Each backward line is local gradient × the gradient of the line's output. The sigmoid's local gradient "
        "can be written with its output L alone.",
        "Numbers to check against, at the lecture's point: grad_s3 = 0.19661 and (dw0, dx0, dw1, dx1, dw2) = "
        "(−0.1966, 0.3932, −0.3932, −0.5898, 0.1966). Keep every digit: 0.2 instead of 0.19661 gives dx0 = 0.40.",
    ),
    imports="import math",
)
