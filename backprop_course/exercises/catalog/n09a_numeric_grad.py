"""Notebook 09: the learner's own numeric gradient, by central differences.

The probe hands the answer an f that notes every point it is called at, so a wrong answer is explained by
what it did (float32 points, nudges far smaller than h, an x changed in place) as well as by its numbers.
"""

import numpy as np

from ..checking import Failure, Seen
from ..course_calls import without_the_reference
from ..edits import edited
from ..registry import Case, Exercise, Mistake


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

# The named numbers the probe sees besides the gradient
GRADIENT = "the numeric gradient"
X_AFTER = "x after the call"
NUDGES = "the nudges"              # per call of f at a point of x's shape: the largest |point - x|
POINT_TYPE = "f's point dtype"     # the dtype code (np.dtype.char, as a number) of the first point not in float64
RESULT_FLOAT32 = "a float32 result"
FLOAT64 = ord(np.dtype(np.float64).char)


def probe(answer, f, x, h=None):
    """The answer's gradient, the caller's x after the call, and how the answer called f."""
    x0, points = np.copy(x), []

    def noted(point):
        points.append(np.array(point, copy=True))
        return float(f(point))

    out = without_the_reference(answer, numeric_grad, OWN_NUMERIC, noted, x, *(() if h is None else (h,)))
    points = [p for p in points if p.shape == x0.shape]
    odd = next((p.dtype for p in points if p.dtype != np.float64), np.dtype(np.float64))
    return Seen({GRADIENT: out, X_AFTER: x, NUDGES: [np.abs(p.astype(np.float64) - x0).max() for p in points],
                 POINT_TYPE: ord(odd.char), RESULT_FLOAT32: getattr(out, "dtype", None) == np.float32})


def keeps_x(seen, f, x, h=1e-5):
    """The caller's x is as it was."""
    if not np.array_equal(seen[X_AFTER], x):
        raise Failure(CHANGED_X)


def in_float64(seen, f, x, h=1e-5):
    """f was called at float64 points only, and the gradient is not float32."""
    if seen[POINT_TYPE] != FLOAT64:
        raise Failure(NO_FLOAT64, expected="f called at float64 points",
                      got=f"f called at {np.dtype(chr(int(seen[POINT_TYPE])))} points")
    if seen[RESULT_FLOAT32]:
        raise Failure(NO_FLOAT64, expected="a float64 gradient", got="a float32 gradient")


def nudges_by_h(seen, f, x, h=1e-5):
    """Every nudge is h: none is so small that round-off wins, and none is some other step."""
    nudges = seen[NUDGES][seen[NUDGES] > 0]
    if nudges.size and nudges.min() < min(1e-3 * h, 1e-8):    # below √ε (1.5e-8), round-off wins
        raise Failure(TINY_H, expected=f"nudges of h = {h:g}", got=f"a nudge of {nudges.min():.1e}")
    if nudges.size and not np.allclose(nudges, h, rtol=1e-3, atol=0):
        odd = max(nudges, key=lambda s: abs(s - h))
        raise Failure(WRONG_H, expected=f"nudges of h = {h:g}", got=f"a nudge of {odd:.1e}")


def _cases():
    rng = np.random.default_rng(9)
    return [
        Case("f(x) = Σ x²·sin(x) on a (2, 3) array, h = 1e-5",
             (lambda x: (x**2 * np.sin(x)).sum(), rng.normal(size=(2, 3)), 1e-5)),
        Case("f(x) = Σ exp(x) / (1 + x²) at a float32 x of shape (4,), h = 1e-5",
             (lambda x: (np.exp(x) / (1 + x**2)).sum(), rng.normal(size=4).astype(np.float32), 1e-5)),
        Case("f(x) = log Σ exp(x) on a (3,) array, with the default h",
             (lambda x: np.log(np.exp(x).sum()), rng.normal(size=3))),
        Case("f(x) = Σ cos(x) at x near 1000, h = 1e-4", (lambda x: np.cos(x).sum(), 1000 + rng.normal(size=3), 1e-4)),
        Case("f(x) = Σ exp(2x) on a (3,) array, h = 1e-2", (lambda x: np.exp(2 * x).sum(), rng.normal(size=3), 1e-2)),
    ]


def _changed(name, *edits):
    return edited(numeric_grad, name, *edits, np=np)


EXERCISE = Exercise(
    id="numeric_grad",
    title="A numeric gradient by central differences",
    notebook="09",
    section="1",
    points=3,
    prompt="Write numeric_grad(f, x, h=1e-5): the gradient of a scalar function f at x by central differences, "
           "one entry at a time, in float64, with x's shape and without changing x.",
    reference=numeric_grad,
    cases=_cases,
    outputs=(GRADIENT,),
    probe=probe,
    diagnoses=(keeps_x, in_float64, nudges_by_h),
    rtol=1e-7,
    atol=1e-9,
    mistakes=(
        Mistake(_changed("forward_difference", ("= old - h\n        down", "= old\n        down"),
                         ("(up - down) / (2 * h)", "(up - down) / h")), FORWARD),
        Mistake(_changed("backward_difference", ("x[i] = old + h\n        up = f(x)", "up = f(x)"),
                         ("(up - down) / (2 * h)", "(up - down) / h")), BACKWARD),
        Mistake(_changed("tiny_h", ("    x = np.array", "    h = 1e-13\n    x = np.array")), TINY_H),
        Mistake(_changed("ignores_h", ("    x = np.array", "    h = 1e-5\n    x = np.array")), WRONG_H),
        Mistake(_changed("no_float64", ("np.array(x, dtype=np.float64)", "np.array(x)")), NO_FLOAT64),
        Mistake(_changed("not_restored", ("        x[i] = old                      #", "        #")), NOT_RESTORED),
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
)
