"""Notebook 09: the learner's own gradient checker, central differences and the relative error.

Each case's f is a Probe: it records every point the learner's numeric_grad calls it at, so a wrong answer
is explained by what it did (float32 points, nudges far smaller than h) as well as by the numbers it returned.
"""

from __future__ import annotations

import numpy as np

from .checking import Failure, code_objects, watching
from .edits import edited
from .registry import Case, Exercise, Mistake, register


def numeric_grad(f, x, h=1e-5):
    """Return the numeric gradient of f at x: an ndarray of x's shape, by central differences in float64.

    f maps an ndarray of x's shape to a float. The caller's x must not change.
    """
    x = np.array(x, dtype=np.float64)   # a float64 copy: the caller's x stays as it was
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old                      # put it back before nudging the next entry
        grad[i] = (up - down) / (2 * h)
    return grad


def relative_error(a, n):
    """Return the relative error |a - n| / max(|a|, |n|, tiny) of an analytic gradient a and a numeric one n.

    a and n are numbers or arrays of one shape; |.| is the Euclidean norm over all entries. Return a float.
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    tiny = 1e-12                        # two zero gradients agree: 0, not 0/0
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), tiny))


# numeric_grad: the check ------------------------------------------------------------------------------------
class Probe:
    """A case's f: evaluates `fn` at x in x's own dtype, and keeps a copy of every point it is called at.
    `truth` is the reference's gradient at the case's point, computed when the case is made, so that the
    check itself never calls the course's numeric_grad while it watches the learner's code for such calls."""

    def __init__(self, fn):
        self.fn, self.seen, self.truth = fn, [], None

    def __call__(self, x):
        self.seen.append(np.array(x, copy=True))
        return float(self.fn(x))


def _one_sided(kind, formula):
    return (f"These are {kind} differences, {formula}: their error shrinks only like h (here about 1e-5 times the "
            "curvature). Central differences, (f(x + h) - f(x - h)) / 2h, cancel that term and err by h² (about "
            "1e-10).")


FORWARD = _one_sided("forward", "(f(x + h) - f(x)) / h")
BACKWARD = _one_sided("backward", "(f(x) - f(x - h)) / h")
TINY_H = ("Your nudges are far smaller than h: round-off wins. f(x + h) - f(x - h) then keeps only a few correct "
          "digits (float64 holds 16), and dividing by a tiny 2h blows the rounding up. Use the h you are given.")
WRONG_H = ("Your nudges are not the h you are given: nudge each entry by exactly h (the sweep over h in section 2 "
           "draws your numeric_grad at every h it passes).")
NO_FLOAT64 = ("f was called at float32 points: in float32, x + 1e-5 rounds away most of the nudge (float32 holds "
              "about 7 digits). Compute on a float64 copy of x, np.array(x, dtype=np.float64).")
OWN_NUMERIC = ("This exercise asks you to write the numeric gradient yourself: your code called the course's "
               "numeric_grad, which does it for you. Nudge each entry of x up and down by h yourself.")
NOT_RESTORED = ("Each entry must be put back after its nudge: yours stays at x - h, so every later entry is "
                "differentiated at a shifted point.")
CHANGED_X = ("numeric_grad changed the caller's x in place: nudge a copy (or put every entry back exactly), so "
             "that checking a gradient never moves the point it checks.")


def _own_work(answer, reference, message, *args):
    """answer(*args), refused with `message` if it calls the course's reference on the way (the reference
    itself, handed in whole, is the model answer and passes)."""
    if answer is reference:
        return answer(*args)
    with watching(dict.fromkeys(code_objects(reference), message)) as used:
        out = answer(*args)
    if used:
        raise Failure(message)
    return out


def _run_numeric_grad(answer, probe, x, h=None):
    x0 = np.copy(x)
    probe.seen.clear()
    out = _own_work(answer, numeric_grad, OWN_NUMERIC, probe, x, *(() if h is None else (h,)))
    if not np.array_equal(x, x0):
        raise Failure(CHANGED_X)
    try:
        got = np.asarray(out, dtype=np.float64)
        truth = probe.truth
    except (TypeError, ValueError):
        return out                       # not numbers: the comparison says what is wrong
    if got.shape == truth.shape and np.allclose(got, truth, rtol=1e-7, atol=1e-9):
        return out
    points = [p for p in probe.seen if p.shape == x0.shape]
    if any(p.dtype != np.float64 for p in points) or getattr(out, "dtype", None) == np.float32:
        raise Failure(NO_FLOAT64, expected="f called at float64 points",
                      got=f"f called at {next((p.dtype for p in points if p.dtype != np.float64), 'float32')} points")
    nudges = [np.abs(p.astype(np.float64) - x0).max() for p in points]
    nudges = [s for s in nudges if s > 0]
    h = 1e-5 if h is None else h
    if nudges and min(nudges) < min(1e-3 * h, 1e-8):    # below √ε (1.5e-8), round-off wins
        raise Failure(TINY_H, expected=f"nudges of h = {h:g}", got=f"a nudge of {min(nudges):.1e}")
    if nudges and not np.allclose(nudges, h, rtol=1e-3, atol=0):
        odd = max(nudges, key=lambda s: abs(s - h))
        raise Failure(WRONG_H, expected=f"nudges of h = {h:g}", got=f"a nudge of {odd:.1e}")
    return out


def _numeric_grad_cases():
    rng = np.random.default_rng(9)
    cases = [
        Case("f(x) = Σ x²·sin(x) on a (2, 3) array, h = 1e-5",
             (Probe(lambda x: (x**2 * np.sin(x)).sum()), rng.normal(size=(2, 3)), 1e-5)),
        Case("f(x) = Σ exp(x) / (1 + x²) at a float32 x of shape (4,), h = 1e-5",
             (Probe(lambda x: (np.exp(x) / (1 + x**2)).sum()), rng.normal(size=4).astype(np.float32), 1e-5)),
        Case("f(x) = log Σ exp(x) on a (3,) array, with the default h",
             (Probe(lambda x: np.log(np.exp(x).sum())), rng.normal(size=3))),
        Case("f(x) = Σ cos(x) at x near 1000, h = 1e-4",
             (Probe(lambda x: np.cos(x).sum()), 1000 + rng.normal(size=3), 1e-4)),
        Case("f(x) = Σ exp(2x) on a (3,) array, h = 1e-2",
             (Probe(lambda x: np.exp(2 * x).sum()), rng.normal(size=3), 1e-2)),
    ]
    for case in cases:
        probe, x, *h = case.args
        probe.truth = numeric_grad(probe.fn, x, *h)
    return cases


def _numeric_changed(name, *edits):
    return edited(numeric_grad, name, *edits, np=np)


register(Exercise(
    id="numeric_grad",
    title="A numeric gradient by central differences",
    notebook="09",
    section="1",
    points=3,
    prompt="Write numeric_grad(f, x, h=1e-5): the gradient of a scalar function f at x by central differences, "
           "one entry at a time, in float64, with x's shape and without changing x.",
    reference=numeric_grad,
    cases=_numeric_grad_cases,
    outputs=("the numeric gradient",),
    probe=_run_numeric_grad,
    rtol=1e-7,
    atol=1e-9,
    mistakes=(
        Mistake(_numeric_changed("forward_difference", ("= old - h\n        down", "= old\n        down"),
                                 ("(up - down) / (2 * h)", "(up - down) / h")), FORWARD),
        Mistake(_numeric_changed("backward_difference", ("x[i] = old + h\n        up = f(x)", "up = f(x)"),
                                 ("(up - down) / (2 * h)", "(up - down) / h")), BACKWARD),
        Mistake(_numeric_changed("tiny_h", ("    x = np.array", "    h = 1e-13\n    x = np.array")), TINY_H),
        Mistake(_numeric_changed("ignores_h", ("    x = np.array", "    h = 1e-5\n    x = np.array")), WRONG_H),
        Mistake(_numeric_changed("no_float64", ("np.array(x, dtype=np.float64)", "np.array(x)")), NO_FLOAT64),
        Mistake(_numeric_changed("not_restored", ("        x[i] = old                      #", "        #")),
                NOT_RESTORED),
    ),
    shape_why="The numeric gradient has x's shape: one partial derivative per entry of x.",
    hints=(
        "Nudge one entry at a time (np.ndindex(x.shape) visits every index): evaluate f with that entry moved up "
        "by h and down by h, then put it back before the next one.",
        "Work on a float64 copy of x: the caller's x must not change, and float32 keeps only about 7 digits.",
        "For f(x) = Σ x³ at x = [1, 2] with h = 1e-5 you should get [3, 12] to 9 decimals (central differences "
        "err by h² = 1e-10 here, plus round-off); forward differences give [3.00003, 12.00006].",
    ),
    imports="import numpy as np",
))


# relative_error: the check ----------------------------------------------------------------------------------
ABSOLUTE = ("That is the absolute error |a - n|: its size depends on the gradient's scale (1e-4 is excellent for a "
            "gradient of 1e6 and hopeless for one of 1e-6). Divide by max(|a|, |n|, tiny).")
OWN_RELATIVE = ("This exercise asks you to write the relative error yourself: your code called the course's "
                "relative_error, which does it for you.")
NUMERIC_ONLY = ("Divide by the larger of |a| and |n|, not by |n| alone: the error must not depend on which of "
                "the two you call numeric, and a numeric gradient of 0 (a dead unit) must not divide by zero.")
ELEMENTWISE = ("One number for the whole tensor, from norms: |a - n| / max(|a|, |n|, tiny) with |.| the Euclidean "
               "norm. Entry by entry, an entry where both are tiny (1e-9 against 2e-9) gives 50% for a "
               "difference that is only round-off.")
NO_TINY = ("Two zero gradients (a dead unit) give 0/0 = NaN: keep the denominator above a tiny number, "
           "max(|a|, |n|, 1e-12), so that they agree with error 0.")


def _run_relative_error(answer, a, n):
    with np.errstate(all="ignore"):   # 0/0 is reported below, in words
        out = _own_work(answer, relative_error, OWN_RELATIVE, a, n)
    both_zero = not (np.any(a) or np.any(n))
    if both_zero and isinstance(out, (float, np.floating)) and np.isnan(out):
        raise Failure(NO_TINY, expected="0.0", got="nan")
    return out


def _relative_changed(name, *edits):
    return edited(relative_error, name, *edits, np=np)


def _elementwise(a, n):
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return float((np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-12)).max())


def _no_tiny_advice(exc):
    return NO_TINY if isinstance(exc, ZeroDivisionError) else None


register(Exercise(
    id="relative_error",
    title="The relative error of two gradients",
    notebook="09",
    section="1",
    points=2,
    prompt="Write relative_error(a, n) = |a - n| / max(|a|, |n|, tiny) for numbers or arrays (|.| the Euclidean "
           "norm over all entries), returning a float.",
    reference=relative_error,
    cases=lambda: [
        Case("a = 2.0002, n = 2.0 (numbers)", (2.0002, 2.0)),
        Case("a = [3, 4], n = [3, 4.001]", (np.array([3.0, 4.0]), np.array([3.0, 4.001]))),
        Case("a gradient of size 1e6: a = [1e6, -2e6], n = [1e6 + 1, -2e6]",
             (np.array([1e6, -2e6]), np.array([1e6 + 1, -2e6]))),
        Case("a dead unit: a = n = [0, 0, 0]", (np.zeros(3), np.zeros(3))),
        Case("round-off on tiny entries: a = [1, 1e-9], n = [1, 2e-9]",
             (np.array([1.0, 1e-9]), np.array([1.0, 2e-9]))),
        Case("a (2, 3) array against zeros: a = 1..6, n = 0", (np.arange(1.0, 7.0).reshape(2, 3), np.zeros((2, 3)))),
    ],
    outputs=("the relative error",),
    probe=_run_relative_error,
    mistakes=(
        Mistake(_relative_changed("absolute_only", ("/ max(np.linalg.norm(a), np.linalg.norm(n), tiny)", "")),
                ABSOLUTE),
        Mistake(_relative_changed("numeric_only", ("max(np.linalg.norm(a), np.linalg.norm(n), tiny)",
                                                   "np.linalg.norm(n)")), NUMERIC_ONLY),
        Mistake(_elementwise, ELEMENTWISE),
        Mistake(_relative_changed("no_tiny", ("np.linalg.norm(n), tiny)", "np.linalg.norm(n))")), NO_TINY),
    ),
    shape_why="Return one float for the pair, however many entries a and n have.",
    advice=_no_tiny_advice,
    hints=(
        "|.| of an array is its Euclidean norm, np.linalg.norm: one number for the whole tensor.",
        "The denominator is the larger of the two norms, but never below a tiny number (1e-12, say), so that "
        "two zero gradients agree.",
        "relative_error(2.0002, 2.0) is about 9.999e-05, relative_error([3, 4], [3, 4.001]) about 1.9997e-04, and "
        "relative_error([0, 0], [0, 0]) is 0.0.",
    ),
    imports="import numpy as np",
))
