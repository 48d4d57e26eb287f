"""Notebook 06: the vectorized example f = ‖W·x‖², backpropagated by hand with NumPy."""

import numpy as np

from ..autodiff import DifferentiationDisabled, differentiation_disabled
from .checking import Failure, as_numbers, compare, require_function
from .registry import Exercise, Mutant, register


def norm_backward(W, x):
    """For f = ‖W·x‖² with W of shape (m, n) and x of shape (n,), return (f, df/dW, df/dx), by hand with NumPy."""
    q = W @ x                        # forward: q = W·x, shape (m,)
    f = q @ q                        # f = Σ qᵢ²
    grad_q = 2 * q                   # df/dq: the derivative of qᵢ² is 2·qᵢ
    grad_W = np.outer(grad_q, x)     # df/dq · xᵀ, shape (m, n) like W
    grad_x = W.T @ grad_q            # Wᵀ · df/dq, shape (n,) like x
    return f, grad_W, grad_x


# Known-wrong answers: each is declared once, with the message that explains it -------------------------
def _no_factor_two(W, x):
    q = W @ x
    return q @ q, np.outer(q, x), W.T @ q


def _W_times_xT(W, x):
    q = W @ x
    return q @ q, 2 * W * x, W.T @ (2 * q)


def _W_not_transposed(W, x):
    q = W @ x
    return q @ q, np.outer(2 * q, x), W @ (2 * q)


def _dW_summed(W, x):
    q = W @ x
    return q @ q, np.outer(2 * q, x).sum(axis=0), W.T @ (2 * q)


MISTAKES = (
    Mutant(_no_factor_two,
           "df/dq = 2q: the derivative of qᵢ² is 2·qᵢ. Your gradients are half the right ones: the factor 2 is "
           "missing.",
           "forgets the factor 2"),
    Mutant(_W_times_xT,
           "df/dW = (df/dq)·xᵀ = 2q·xᵀ, the outer product of the upstream gradient 2q with x. You multiplied W by xᵀ: "
           "the local gradient of q = W·x with respect to W is x, and W itself does not appear in it.",
           "2·W·xᵀ instead of 2·q·xᵀ"),
    Mutant(_W_not_transposed,
           "df/dx = Wᵀ·(df/dq), with W transposed: q[i] = Σⱼ W[i,j]·x[j], so x[j] collects from every q[i] through "
           "column j of W. With W instead of Wᵀ the shapes only fit when W is square, and the numbers are wrong.",
           "W instead of Wᵀ in df/dx"),
    Mutant(_dW_summed,
           "df/dW must have W's shape (m, n), one number per weight: keep the outer product 2q·xᵀ (np.outer(2 * q, x)) "
           "as a matrix; summing it gives a vector.",
           "sums df/dW to a vector"),
)
BY_HAND = ("norm_backward is by hand: compute f, df/dW and df/dx with NumPy (W @ x, np.outer, W.T); the engine's "
           "backward is switched off while it runs.")
NAMES = ("f", "df/dW", "df/dx")


def _advice(exc):
    if isinstance(exc, DifferentiationDisabled):
        return "Write the backward pass yourself, with NumPy arrays: W @ x, np.outer and W.T are all you need."
    if isinstance(exc, ValueError) and ("matmul" in str(exc) or "broadcast" in str(exc) or "aligned" in str(exc)):
        return ("The shapes don't line up: with W of shape (m, n), df/dW = 2q·xᵀ is (m, n) and df/dx = Wᵀ·2q is "
                "(n,), like x.")
    return None


def _check(t, fn):
    require_function(fn, "norm_backward")
    rng = np.random.default_rng(12)
    cases = [("the lecture's W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]",
              np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4]))]
    for m, n in [(3, 2), (2, 4), (1, 3), (4, 4)]:
        W, x = rng.normal(size=(m, n)), rng.normal(size=n)
        cases.append((f"random W of shape ({m}, {n}) and x of shape ({n},)", W, x))
    for description, W, x in cases:
        t.case(description)
        with differentiation_disabled(BY_HAND):
            out = fn(W.copy(), x.copy())
        got = as_numbers(out, NAMES)
        if got[1].ndim == 1 and got[1].size in W.shape:
            raise Failure(MISTAKES[3].reason, expected=f"df/dW of shape {W.shape}", got=f"shape {got[1].shape}")
        compare(got, norm_backward(W, x), NAMES, _mistaken_answers(W, x),
                shape_why="Each gradient has the shape of its variable.")


def _mistaken_answers(W, x):
    """(answer, message) for each mistake whose shapes work out on these inputs (W instead of Wᵀ needs W square)."""
    found = []
    for mistake in MISTAKES:
        try:
            found.append((mistake.answer(W, x), mistake.reason))
        except ValueError:
            pass
    return found


register(Exercise(
    id="norm_backward",
    title="Backward through f = ‖W·x‖², by hand",
    notebook="06",
    section="11",
    points=2,
    prompt="For f = ‖W·x‖² return (f, df/dW, df/dx) from W of shape (m, n) and x of shape (n,), with NumPy and "
           "without the engine.",
    check=_check,
    hints=(
        "Name the intermediate q = W @ x. Then f = q @ q, and df/dq = 2q (the derivative of each qᵢ² is 2qᵢ).",
        "q = W·x is notebook 06's matmul with x a column: df/dW = (df/dq)·xᵀ and df/dx = Wᵀ·(df/dq). Check the "
        "shapes: (m, n) like W and (n,) like x.",
        "grad_W = np.outer(2 * q, x) and grad_x = W.T @ (2 * q). The lecture's numbers: f = 0.116, "
        "df/dW = [[0.088, 0.176], [0.104, 0.208]], df/dx = [-0.112, 0.636].",
    ),
    reference=norm_backward,
    imports="import numpy as np",
    advice=_advice,
    mutants=MISTAKES,
))
