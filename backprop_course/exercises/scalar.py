"""Notebooks 01-03: backward by hand through the lecture's scalar graphs (f = (x + y)·z, the fork, the neuron)."""

import math

import numpy as np

from .checking import ADD_COPIES, CHAIN_RULE, FORKS_ADD, HARDCODED, MUL_SWAPS, ROUNDING, SIGMOID_LOCAL, SIGN, fmt
from .registry import Case, Exercise, Mistake, register


def _points(lecture, seed, n, low, high, names):
    """The lecture's point, then `n` seeded random ones, as Cases."""
    rng = np.random.default_rng(seed)
    points = [lecture] + [tuple(float(v) for v in rng.uniform(low, high, len(lecture)).round(3)) for _ in range(n)]
    return [Case(", ".join(f"{k} = {fmt(v)}" for k, v in zip(names, p, strict=True))
                 + (" (the lecture's point)" if p == lecture else ""), p) for p in points]


def _sig(v):
    return 1 / (1 + math.exp(-v))


# f = (x + y)·z (notebook 01) --------------------------------------------------------------------------
def scalar_backward(x, y, z):
    """Return (df/dx, df/dy, df/dz) for f = (x + y) * z, working right to left through the graph."""
    q = x + y                 # forward: the add node
    grad_f = 1.0              # df/df
    grad_z = q * grad_f       # mul gate: the *other* input times upstream
    grad_q = z * grad_f
    grad_x = 1.0 * grad_q     # add gate: local gradient 1, so it copies upstream
    grad_y = 1.0 * grad_q
    return grad_x, grad_y, grad_z


register(Exercise(
    id="scalar_backward",
    title="Backward through f = (x + y)·z",
    notebook="01",
    section="3",
    points=2,
    prompt="Write the backward pass of f = (x + y)·z by hand: return (df/dx, df/dy, df/dz) for any x, y, z.",
    reference=scalar_backward,
    cases=lambda: [*_points((-2.0, 5.0, -4.0), 1, 5, -5, 5, "xyz"), Case("x = 1.5, y = -1.5, z = 2", (1.5, -1.5, 2.0))],
    outputs=("df/dx", "df/dy", "df/dz"),
    by_hand=True,
    mistakes=(
        Mistake(lambda x, y, z: (z / 2, z / 2, x + y), ADD_COPIES),
        Mistake(lambda x, y, z: (x + y, x + y, z), MUL_SWAPS),
        Mistake(lambda x, y, z: (1.0, 1.0, x + y), CHAIN_RULE),
        Mistake(lambda x, y, z: (-4.0, -4.0, 3.0), HARDCODED),
        Mistake(lambda x, y, z: (x * z, y * z, x + y),
                "The add gate's local gradient is 1 for each input, not the input itself: df/dx = df/dq, "
                "with no factor x."),
        Mistake(lambda x, y, z: (z, z, (x + y) * z),
                "df/dz is the mul gate's *other* input, q = x + y, not f itself."),
        Mistake(lambda x, y, z: (-z, -z, -(x + y)), SIGN),
    ),
    hints=(
        "Name the add node q = x + y, so f = q·z. Go right to left, starting from df/df = 1.",
        "What does each gate send back? The backward pass drawn above shows it: the mul node and the add node "
        "follow different patterns.",
        "Numbers to check against: at (−2, 5, −4) the answer is (−4, −4, 3); at (1, 2, 5) it is (5, 5, 3).",
    ),
))


# The sigmoid neuron as flat code (notebook 03) -------------------------------------------------------
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
        L = _sig(s3)
        g3 = local(L, s3)
        if rounding is not None:
            g3 = round(g3, rounding)
        g0 = g3 * split * split
        last = g3 * split if dw2 is None else dw2
        if swap:
            return L, g0 * x0, g0 * w0, g0 * x1, g0 * w1, last
        return L, g0 * w0, g0 * x0, g0 * w1, g0 * x1, last
    return answer


register(Exercise(
    id="neuron_flat_backward",
    title="The sigmoid neuron as flat code",
    notebook="03",
    section="6",
    points=3,
    prompt="Write the lecture's flat forward and backward code for the neuron L = σ(w0·x0 + w1·x1 + w2): return "
           "(L, dw0, dx0, dw1, dx1, dw2).",
    reference=neuron_flat_backward,
    cases=lambda: _points((2.0, -1.0, -3.0, -2.0, -3.0), 6, 5, -2, 2, ("w0", "x0", "w1", "x1", "w2")),
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
))


# Gradients add at forks (notebook 02) ----------------------------------------------------------------
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
        sigy, sigx = _sig(y), _sig(x)
        num, den = x + sigy, sigx + (x + y) ** 2
        dnum = 1 / den
        dden = dden_sign / den ** 2 * (num if upstream else 1.0)
        dxpy = 2 * (x + y) * (dden if dxpy_upstream else 1.0)
        grads_x = {"xpy": dxpy, "sigx": local(sigx) * dden, "num": dnum}
        grads_y = {"xpy": dxpy, "num": local(sigy) * dnum}
        return num / den, sum(grads_x[p] for p in paths), sum(grads_y[p] for p in y_paths)
    return answer


register(Exercise(
    id="fork_backward",
    title="Gradients add at forks",
    notebook="02",
    section="7",
    points=2,
    prompt="Backpropagate by hand through the staged f = (x + σ(y)) / (σ(x) + (x + y)²): return (f, df/dx, df/dy). "
           "x and y are used more than once.",
    reference=fork_backward,
    cases=lambda: _points((3.0, -4.0), 7, 5, -3, 3, "xy"),
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
))
