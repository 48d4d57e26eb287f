"""Notebook 01: backward through the lecture's scalar graph f = (x + y)·z by hand."""

import math

import numpy as np

from ..value import Value
from .checking import (
    ADD_COPIES,
    CHAIN_RULE,
    FORKS_ADD,
    HARDCODED,
    MUL_SWAPS,
    ROUNDING,
    SIGMOID_LOCAL,
    as_numbers,
    compare,
    fmt,
    require_function,
)
from .registry import Exercise, Mutant, register


def scalar_backward(x, y, z):
    """Return (df/dx, df/dy, df/dz) for f = (x + y) * z, working right to left through the graph."""
    q = x + y                 # forward: the add node
    grad_f = 1.0              # df/df
    grad_z = q * grad_f       # mul gate: the *other* input times upstream
    grad_q = z * grad_f
    grad_x = 1.0 * grad_q     # add gate: local gradient 1, so it copies upstream
    grad_y = 1.0 * grad_q
    return grad_x, grad_y, grad_z


# Known-wrong answers ---------------------------------------------------------
def _add_splits(x, y, z):
    return z / 2, z / 2, x + y


def _mul_no_swap(x, y, z):
    q = x + y
    return q, q, z  # each input gets its own value


def _local_only(x, y, z):
    return 1.0, 1.0, x + y  # the add gate's local gradient, never multiplied by upstream


def _hard_coded(x, y, z):
    return -4.0, -4.0, 3.0


NAMES = ("df/dx", "df/dy", "df/dz")
LECTURE = (-2.0, 5.0, -4.0)


def _check(t, fn):
    require_function(fn, "scalar_backward")
    rng = np.random.default_rng(1)
    points = [LECTURE, (1.5, -1.5, 2.0), (0.0, 3.0, 0.5)]
    points += [tuple(float(v) for v in rng.uniform(-5, 5, 3).round(3)) for _ in range(5)]
    for x, y, z in points:
        t.case(f"x = {fmt(x)}, y = {fmt(y)}, z = {fmt(z)}" + (" (the lecture's point)" if (x, y, z) == LECTURE else ""))
        got = as_numbers(fn(x, y, z), NAMES)
        vx, vy, vz = Value(x), Value(y), Value(z)
        ((vx + vy) * vz).backward()
        expected = (vx.grad, vy.grad, vz.grad)
        alternatives = [(_add_splits(x, y, z), ADD_COPIES), (_mul_no_swap(x, y, z), MUL_SWAPS),
                        (_local_only(x, y, z), CHAIN_RULE), (_hard_coded(x, y, z), HARDCODED)]
        compare(got, expected, NAMES, alternatives)


register(Exercise(
    id="scalar_backward",
    title="Backward through f = (x + y)·z",
    notebook="01",
    section="3",
    points=2,
    prompt="Write the backward pass of f = (x + y)·z by hand: return (df/dx, df/dy, df/dz) for any x, y, z.",
    check=_check,
    hints=(
        "Name the add node q = x + y, so f = q·z. Go right to left, starting from df/df = 1.",
        "The mul gate swaps: df/dz = q and df/dq = z (each times the upstream gradient 1).",
        "The add gate copies: df/dx = df/dy = df/dq. At the lecture's point that is (-4, -4, 3).",
    ),
    reference=scalar_backward,
    mutants=(
        Mutant(_add_splits, "does not split", "the add gate halves the gradient"),
        Mutant(_mul_no_swap, "*other* input", "the mul gate multiplies by the input's own value"),
        Mutant(_local_only, "local gradient × upstream", "the add gate's local gradient 1, never chained"),
        Mutant(_hard_coded, "lecture's numbers only", "returns the lecture's answer (-4, -4, 3) for any input"),
    ),
))


# The sigmoid neuron as flat code (notebook 03) ------------------------------------------------------
def neuron_flat_backward(w0, x0, w1, x1, w2):
    """Return (L, dw0, dx0, dw1, dx1, dw2) for L = σ(w0·x0 + w1·x1 + w2), written as the lecture's flat code."""
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


def _neuron(w0, x0, w1, x1, w2, local=lambda L: (1 - L) * L, swap=True, split=1.0, rounding=None):
    """The flat neuron with one lecture mistake switched on."""
    L = 1 / (1 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
    g3 = local(L)
    if rounding is not None:
        g3 = round(g3, rounding)
    g2 = g3 * split
    g0 = g2 * split
    if swap:
        return L, g0 * x0, g0 * w0, g0 * x1, g0 * w1, g3 * split
    return L, g0 * w0, g0 * x0, g0 * w1, g0 * x1, g3 * split


def _neuron_sigma_not_derivative(w0, x0, w1, x1, w2):
    return _neuron(w0, x0, w1, x1, w2, local=lambda L: L)


def _neuron_rounded(w0, x0, w1, x1, w2):
    return _neuron(w0, x0, w1, x1, w2, rounding=1)


def _neuron_no_swap(w0, x0, w1, x1, w2):
    return _neuron(w0, x0, w1, x1, w2, swap=False)


def _neuron_add_splits(w0, x0, w1, x1, w2):
    return _neuron(w0, x0, w1, x1, w2, split=0.5)


NEURON = ("L", "dL/dw0", "dL/dx0", "dL/dw1", "dL/dx1", "dL/dw2")
NEURON_LECTURE = (2.0, -1.0, -3.0, -2.0, -3.0)


def _check_neuron(t, fn):
    require_function(fn, "neuron_flat_backward")
    rng = np.random.default_rng(6)
    points = [NEURON_LECTURE] + [tuple(float(v) for v in rng.uniform(-2, 2, 5).round(3)) for _ in range(5)]
    for p in points:
        t.case(", ".join(f"{n} = {fmt(v)}" for n, v in zip(("w0", "x0", "w1", "x1", "w2"), p, strict=True))
               + (" (the lecture's neuron)" if p == NEURON_LECTURE else ""))
        got = as_numbers(fn(*p), NEURON)
        leaves = [Value(v) for v in p]
        w0, x0, w1, x1, w2 = leaves
        out = (w0 * x0 + w1 * x1 + w2).sigmoid()
        out.backward()
        expected = (out.data, *(v.grad for v in leaves))
        alternatives = [(_neuron_sigma_not_derivative(*p), SIGMOID_LOCAL), (_neuron_no_swap(*p), MUL_SWAPS),
                        (_neuron_add_splits(*p), ADD_COPIES)]
        compare(got, expected, NEURON, alternatives, near_miss=ROUNDING,
                otherwise="Compare your code line by line with the forward pass, in reverse.")


register(Exercise(
    id="neuron_flat_backward",
    title="The sigmoid neuron as flat code",
    notebook="03",
    section="6",
    points=3,
    prompt="Write the lecture's flat forward and backward code for the neuron L = σ(w0·x0 + w1·x1 + w2): return "
           "(L, dw0, dx0, dw1, dx1, dw2).",
    check=_check_neuron,
    hints=(
        "Forward: s0 = w0*x0, s1 = w1*x1, s2 = s0 + s1, s3 = s2 + w2, L = σ(s3). Backward: one line for each, "
        "in reverse.",
        "grad_s3 = grad_L * (1 - L) * L: the sigmoid's local gradient uses its output. The add gates copy "
        "grad_s3 to s2 and w2, then to s0 and s1.",
        "The mul gates swap: grad_w0 = grad_s0 * x0 and grad_x0 = grad_s0 * w0. At the lecture's neuron "
        "dx0 = 0.3932 (not 0.4: don't round).",
    ),
    reference=neuron_flat_backward,
    imports="import math",
    mutants=(
        Mutant(_neuron_sigma_not_derivative, "not σ(x) itself", "the sigmoid's local gradient taken as σ"),
        Mutant(_neuron_rounded, "round an intermediate value", "grad_s3 rounded to 0.2, as on the slides"),
        Mutant(_neuron_no_swap, "*other* input", "the mul gates without the swap"),
        Mutant(_neuron_add_splits, "does not split", "the add gates halve the gradient"),
    ),
))


# Gradients add at forks (notebook 02) -------------------------------------------------------------
def fork_backward(x, y):
    """Return (f, df/dx, df/dy) for f = (x + σ(y)) / (σ(x) + (x + y)²), staged as in the lecture notes."""
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


def _fork_paths(x, y, paths=("xpy", "sigx", "num"), local=lambda s: (1 - s) * s, dden_sign=-1.0):
    """(f, dx, dy) summing only the given paths from x (the last one alone, if assigned with =)."""
    sig = lambda v: 1 / (1 + math.exp(-v))
    sigy, sigx = sig(y), sig(x)
    num, den = x + sigy, sig(x) + (x + y) ** 2
    dnum, dden = 1 / den, dden_sign / den ** 2 * num
    dxpy = 2 * (x + y) * dden
    grads_x = {"xpy": dxpy, "sigx": local(sigx) * dden, "num": dnum}
    grads_y = {"xpy": dxpy, "num": local(sigy) * dnum}
    return (num / den, sum(grads_x[p] for p in paths),
            sum(grads_y[p] for p in ("xpy", "num") if p in paths))


def _fork_assigns(x, y):
    return _fork_paths(x, y, paths=("num",))   # dx = ... keeps only the last assignment


def _fork_sigma_not_derivative(x, y):
    return _fork_paths(x, y, local=lambda s: s)


def _fork_missing_path(x, y):
    return _fork_paths(x, y, paths=("xpy", "num"))


def _fork_inverse_sign(x, y):
    return _fork_paths(x, y, dden_sign=1.0)


FORK = ("f", "df/dx", "df/dy")
FORK_LECTURE = (3.0, -4.0)


def _check_fork(t, fn):
    require_function(fn, "fork_backward")
    rng = np.random.default_rng(7)
    points = [FORK_LECTURE] + [tuple(float(v) for v in rng.uniform(-3, 3, 2).round(3)) for _ in range(5)]
    for x, y in points:
        t.case(f"x = {fmt(x)}, y = {fmt(y)}" + (" (the lecture's point)" if (x, y) == FORK_LECTURE else ""))
        got = as_numbers(fn(x, y), FORK)
        vx, vy = Value(x), Value(y)
        out = (vx + vy.sigmoid()) / (vx.sigmoid() + (vx + vy) ** 2)
        out.backward()
        alternatives = [
            (_fork_assigns(x, y), FORKS_ADD + " With = at the lecture's point you get dx = 0.512 and dy = 0.00905 "
                                              "instead of 2.0596 and 1.5922."),
            (_fork_sigma_not_derivative(x, y), SIGMOID_LOCAL),
            (_fork_missing_path(x, y), "A path is missing: x reaches f three ways (through x + σ(y), σ(x) and "
                                       "x + y). " + FORKS_ADD),
            (_fork_inverse_sign(x, y), "The local gradient of 1/d is −1/d² (note the minus sign)."),
        ]
        compare(got, (out.data, vx.grad, vy.grad), FORK, alternatives)


register(Exercise(
    id="fork_backward",
    title="Gradients add at forks",
    notebook="02",
    section="7",
    points=2,
    prompt="Backpropagate by hand through the staged f = (x + σ(y)) / (σ(x) + (x + y)²): return (f, df/dx, df/dy). "
           "x and y are used more than once.",
    check=_check_fork,
    hints=(
        "Write the forward pass one primitive per line (sigy, num, sigx, xpy, xpysqr, den, invden, f), then one "
        "backward line per forward line, in reverse.",
        "x is used three times and y twice: start dx and dy at 0 and accumulate every contribution with +=.",
        "At x = 3, y = −4: f = 1.5456, df/dx = 2.0596, df/dy = 1.5922.",
    ),
    reference=fork_backward,
    imports="import math",
    mutants=(
        Mutant(_fork_assigns, "0.512", "= instead of += where x and y fork"),
        Mutant(_fork_sigma_not_derivative, "not σ(x) itself", "σ instead of σ(1 − σ)"),
        Mutant(_fork_missing_path, "A path is missing", "drops the σ(x) path from x"),
        Mutant(_fork_inverse_sign, "−1/d²", "the 1/d gate without its minus sign"),
    ),
))
