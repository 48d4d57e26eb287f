"""Notebook 01: backward through the lecture's scalar graph f = (x + y)·z by hand."""

import numpy as np

from ..value import Value
from .checking import ADD_COPIES, CHAIN_RULE, HARDCODED, MUL_SWAPS, as_numbers, compare, fmt, require_function
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
