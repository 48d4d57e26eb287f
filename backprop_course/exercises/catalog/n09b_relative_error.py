"""Notebook 09: the relative error of an analytic and a numeric gradient."""

import numpy as np

from ..checking import Failure
from ..course_calls import without_the_reference
from ..edits import edited
from ..registry import Case, Exercise, Mistake


def relative_error(a, n):
    """Return the relative error |a - n| / max(|a|, |n|, tiny) of an analytic gradient a and a numeric one n.

    a and n are numbers or arrays of one shape; |.| is the Euclidean norm over all entries. Return a float.
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    tiny = 1e-12                        # two zero gradients agree: 0, not 0/0
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), tiny))


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


def probe(answer, a, n):
    with np.errstate(all="ignore"):   # 0/0 is told by a diagnosis, in words
        return without_the_reference(answer, relative_error, OWN_RELATIVE, a, n)


def zeros_agree(seen, a, n):
    """Two zero gradients agree with error 0, not 0/0 = NaN."""
    error = seen["the relative error"]
    if not (np.any(a) or np.any(n)) and error.shape == () and np.isnan(error):
        raise Failure(NO_TINY, expected="0.0", got="nan")


def _changed(name, *edits):
    return edited(relative_error, name, *edits, np=np)


def _elementwise(a, n):
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return float((np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-12)).max())


def _advice(exc):
    return NO_TINY if isinstance(exc, ZeroDivisionError) else None


EXERCISE = Exercise(
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
    probe=probe,
    diagnoses=(zeros_agree,),
    mistakes=(
        Mistake(_changed("absolute_only", ("/ max(np.linalg.norm(a), np.linalg.norm(n), tiny)", "")), ABSOLUTE),
        Mistake(_changed("numeric_only", ("max(np.linalg.norm(a), np.linalg.norm(n), tiny)", "np.linalg.norm(n)")),
                NUMERIC_ONLY),
        Mistake(_elementwise, ELEMENTWISE),
        Mistake(_changed("no_tiny", ("np.linalg.norm(n), tiny)", "np.linalg.norm(n))")), NO_TINY),
    ),
    shape_why="Return one float for the pair, however many entries a and n have.",
    advice=_advice,
    hints=(
        "|.| of an array is its Euclidean norm, np.linalg.norm: one number for the whole tensor.",
        "The denominator is the larger of the two norms, but never below a tiny number (1e-12, say), so that "
        "two zero gradients agree.",
        "relative_error(2.0002, 2.0) is about 9.999e-05, relative_error([3, 4], [3, 4.001]) about 1.9997e-04, and "
        "relative_error([0, 0], [0, 0]) is 0.0.",
    ),
    imports="import numpy as np",
)
