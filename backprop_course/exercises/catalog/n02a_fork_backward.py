"""Notebook 02: gradients add at forks, by hand through a staged expression."""

import math

from ..cases import points, sigmoid
from ..checking import CHAIN_RULE, FORKS_ADD, SIGMOID_LOCAL
from ..registry import Exercise, Mistake


def fork_backward(x, y):
    """Return (f, df/dx, df/dy) for f = (x + σ(y)) / (σ(x) + (x + y)²), staged as in the lecture
    notes."""
    # forward, one primitive per line
    sigy = 1 / (1 + math.exp(-y))
    num = x + sigy
    sigx = 1 / (1 + math.exp(-x))
    xpy = x + y
    xpysqr = xpy ** 2
    den = sigx + xpysqr
    invden = 1 / den
    f = num * invden
    # backward: x and y are used several times (forks), so their gradients ADD up with +=
    dnum = invden
    dinvden = num
    dden = (-1 / den ** 2) * dinvden
    dsigx = dden
    dxpysqr = dden
    dxpy = 2 * xpy * dxpysqr
    dx = dxpy
    dy = dxpy
    dx += (1 - sigx) * sigx * dsigx
    dx += dnum
    dsigy = dnum
    dy += (1 - sigy) * sigy * dsigy
    return f, dx, dy


def _fork(paths=("xpy", "sigx", "num"), y_paths=("xpy", "num"), local=lambda s: (1 - s) * s, dden_sign=-1.0,
          upstream=True, dxpy_upstream=True):
    """(f, dx, dy) summing only the given paths (a mistake switched on)."""
    def answer(x, y):
        sigy, sigx = sigmoid(y), sigmoid(x)
        num, den = x + sigy, sigx + (x + y) ** 2
        dnum = 1 / den
        dden = dden_sign / den ** 2 * (num if upstream else 1.0)
        dxpy = 2 * (x + y) * (dden if dxpy_upstream else 1.0)
        grads_x = {"xpy": dxpy, "sigx": local(sigx) * dden, "num": dnum}
        grads_y = {"xpy": dxpy, "num": local(sigy) * dnum}
        return num / den, sum(grads_x[p] for p in paths), sum(grads_y[p] for p in y_paths)
    return answer


EXERCISE = Exercise(
    id="fork_backward",
    title="Gradients add at forks",
    notebook="02",
    section="7",
    points=2,
    prompt="Backpropagate by hand through the staged f = (x + σ(y)) / (σ(x) + (x + y)²): return (f, df/dx, df/dy). "
           "x and y are used more than once.",
    reference=fork_backward,
    cases=lambda: points((3.0, -4.0), 7, 5, -3, 3, "xy"),
    outputs=("f", "df/dx", "df/dy"),
    by_hand=True,
    mistakes=(
        Mistake(_fork(paths=("num",), y_paths=("num",)), FORKS_ADD),
        Mistake(_fork(local=lambda s: s), SIGMOID_LOCAL),
        Mistake(_fork(paths=("xpy", "num")), "A path is missing: x reaches f three ways (through x + σ(y), σ(x) "
                                              "and x + y). " + FORKS_ADD),
        Mistake(_fork(y_paths=("xpy",)), "A path is missing: y reaches f two ways (through σ(y) and x + y). "
                                         + FORKS_ADD),
        Mistake(_fork(paths=("num",)), "dx keeps only its last contribution (through the numerator x + σ(y)): x is "
                                       "used three times. " + FORKS_ADD),
        Mistake(_fork(paths=("sigx", "num")), "dx lost its x + y path: a `dx = ...` at the σ(x) line overwrote "
                                              "it. " + FORKS_ADD),
        Mistake(_fork(y_paths=("num",)), "dy keeps only its last contribution (through σ(y)): y is used twice. "
                                         + FORKS_ADD),
        Mistake(_fork(dden_sign=1.0), "The local gradient of 1/d is −1/d² (note the minus sign)."),
        Mistake(_fork(upstream=False), "dden must be multiplied by the gradient that arrives at invden from "
                                       "f = num·invden: " + CHAIN_RULE),
        Mistake(_fork(dxpy_upstream=False), "dxpy = 2·xpy is only the square's local gradient: multiply it by the "
                                            "gradient arriving at xpysqr. " + CHAIN_RULE),
    ),
    hints=(
        "Write the forward pass one primitive per line (sigy, num, sigx, xpy, xpysqr, den, invden, f), then one "
        "backward line per forward line, in reverse.",
        "x is used three times and y twice: start dx and dy at 0 and accumulate every contribution with +=.",
        "Numbers to check against, at x = 3, y = −4: f = 1.54564, df/dx = 2.05957, df/dy = 1.59223 (with = "
        "instead of an accumulating sum you would get 0.512 and 0.00905).",
    ),
    imports="import math",
)
