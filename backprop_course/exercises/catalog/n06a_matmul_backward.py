"""Notebook 06: backward through y = x·W, with the shapes as the guide."""

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake
from ..side_effects import with_arguments, written_into


def matmul_backward(x, W, grad_y):
    """For y = x @ W with x [N×D], W [D×M] and grad_y = dL/dy [N×M], return (dL/dx, dL/dW)."""
    grad_x = grad_y @ W.T   # [N×M]·[M×D] = [N×D], the shape of x
    grad_W = x.T @ grad_y   # [D×N]·[N×M] = [D×M], the shape of W
    return grad_x, grad_W


DIMENSIONS = ("Dimension analysis: dL/dx has the shape of x [N×D] and dL/dW the shape of W [D×M]. Find the "
              "product of dL/dy [N×M] with W or x (each maybe transposed) that has that shape; where two fit (a square "
              "layer, D = M), the index form y[n,m] = Σ_d x[n,d]·W[d,m] decides.")
NOT_DIVIDED = ("Nothing is divided by N here: each row of dL/dy already carries its own sample's gradient (a mean "
               "over the batch belongs to the loss, and is already in dL/dy).")
MISALIGNED = "The shapes don't line up. " + DIMENSIONS
OUTPUTS = ("dL/dx", "dL/dW")


def probe(answer, x, W, grad_y):
    """The two gradients, and x, W and grad_y as the answer left them; a product whose shapes don't fit is
    MISALIGNED."""
    try:
        out = answer(x, W, grad_y)
    except ValueError as exc:
        if any(word in str(exc) for word in ("matmul", "broadcast", "aligned")):
            raise Failure(MISALIGNED) from None
        raise
    return with_arguments(out, OUTPUTS, x=x, W=W, grad_y=grad_y)


def untouched(seen, x, W, grad_y):
    """The diagnosis: x, W and grad_y are as they were given."""
    written_into(seen, x=x, W=W, grad_y=grad_y)


def _cases():
    rng = np.random.default_rng(9)
    lecture = (np.array([[2.0, 1, -3], [-3, 4, 2]]), np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]]),
               np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]]))
    cases = [Case("the lecture's x [2×3], W [3×4], dL/dy [2×4]", lecture)]
    for n, d, m in [(5, 3, 4), (1, 6, 2), (7, 2, 5), (3, 3, 3)]:
        cases.append(Case(f"N = {n}, D = {d}, M = {m}", (rng.normal(size=(n, d)), rng.normal(size=(d, m)),
                                                          rng.normal(size=(n, m)))))
    # L near 1e9: a finite difference with a small step loses dL/dx to rounding, the exact product loses nothing
    cases.append(Case("N = 4, D = 3, M = 2 with x near 10⁸", (rng.normal(size=(4, 3)) * 1e8, rng.normal(size=(3, 2)),
                                                              rng.normal(size=(4, 2)))))
    return cases


EXERCISE = Exercise(
    id="matmul_backward",
    title="Backward through y = x·W",
    notebook="06",
    section="10",
    points=3,
    prompt="For y = x @ W return (dL/dx, dL/dW) from x [N×D], W [D×M] and the upstream dL/dy [N×M]. Let the shapes "
           "guide you.",
    reference=matmul_backward,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(untouched,),
    by_hand=True,
    shape_why=DIMENSIONS,
    mistakes=(
        Mistake(lambda x, W, g: (np.ones_like(g) @ W.T, x.T @ np.ones_like(g)),
                "You computed the gradient as if dL/dy were all ones: the upstream gradient dL/dy must be one of "
                "the factors."),
        Mistake(lambda x, W, g: (g @ W, x.T @ g), MISALIGNED),
        Mistake(lambda x, W, g: (g @ W.T, g.T @ x), "dL/dW has the wrong shape. " + DIMENSIONS),
        Mistake(lambda x, W, g: (x.T @ g, g @ W.T), "dL/dx has the wrong shape. " + DIMENSIONS),
        Mistake(lambda x, W, g: (g @ W.T, x.T @ g / len(x)), NOT_DIVIDED),
        Mistake(lambda x, W, g: (g @ W.T / len(x), x.T @ g / len(x)), NOT_DIVIDED),
    ),
    hints=(
        "dL/dx must have the shape of x, [N×D], and dL/dW the shape of W, [D×M].",
        "Which product of dL/dy [N×M] with W [D×M] (or its transpose) gives [N×D]? And of x with dL/dy gives [D×M]?",
        "Check on the lecture's example: dL/dx[1,1] = 0 and dL/dx[2,3] = -30 (counting from 1), and dL/dW has "
        "shape 3×4.",
    ),
)
