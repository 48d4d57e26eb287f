"""Notebook 06: the vectorized example f = ‖W·x‖², backpropagated by hand with NumPy."""

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake


def norm_backward(W, x):
    """For f = ‖W·x‖² with W of shape (m, n) and x of shape (n,), return (f, df/dW, df/dx), by hand
    with NumPy."""
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


SUMMED = ("df/dW must have W's shape (m, n), one number per weight: keep the outer product of 2q and x as a "
          "matrix; summing it gives a vector.")
MISALIGNED = ("The shapes don't line up: with W of shape (m, n), df/dW = 2q·xᵀ is (m, n) and df/dx = Wᵀ·2q is (n,), "
              "like x.")
NAMES = ("f", "df/dW", "df/dx")


def probe(answer, W, x):
    """(f, df/dW, df/dx); a product whose shapes don't fit is MISALIGNED."""
    try:
        return answer(W, x)
    except ValueError as exc:
        if any(word in str(exc) for word in ("matmul", "broadcast", "aligned")):
            raise Failure(MISALIGNED) from None
        raise


def not_summed(seen, W, x):
    """The diagnosis: a df/dW of one dimension, as long as a side of W, is the outer product summed away."""
    dW = seen["df/dW"]
    if dW.ndim == 1 and dW.size in W.shape:
        raise Failure(SUMMED, expected=f"df/dW of shape {W.shape}", got=f"shape {dW.shape}")


def _cases():
    rng = np.random.default_rng(12)
    cases = [Case("the lecture's W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]",
                  (np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])))]
    for m, n in [(3, 2), (2, 4), (1, 3), (4, 4)]:
        cases.append(Case(f"random W of shape ({m}, {n}) and x of shape ({n},)",
                          (rng.normal(size=(m, n)), rng.normal(size=n))))
    # f near 1e16: a finite difference with a small step loses every digit to rounding, the exact gradient none
    cases.append(Case("W of shape (3, 2) with entries near 10⁸, x of shape (2,)",
                      (rng.normal(size=(3, 2)) * 1e8, rng.normal(size=2))))
    return cases


EXERCISE = Exercise(
    id="norm_backward",
    title="Backward through f = ‖W·x‖², by hand",
    notebook="06",
    section="11",
    points=2,
    prompt="For f = ‖W·x‖² return (f, df/dW, df/dx) from W of shape (m, n) and x of shape (n,), with NumPy and "
           "without the engine.",
    reference=norm_backward,
    cases=_cases,
    outputs=NAMES,
    probe=probe,
    diagnoses=(not_summed,),
    by_hand=True,
    shape_why="Each gradient has the shape of its variable.",
    mistakes=(
        Mistake(_no_factor_two, "df/dq = 2q: the derivative of qᵢ² is 2·qᵢ. Your gradients are half the right ones: "
                                "the factor 2 is missing."),
        Mistake(_W_times_xT, "df/dW = (df/dq)·xᵀ = 2q·xᵀ, the outer product of the upstream gradient 2q with x. You "
                             "multiplied W by xᵀ: the local gradient of q = W·x with respect to W is x, and W itself "
                             "does not appear in it."),
        Mistake(_W_not_transposed, "df/dx = Wᵀ·(df/dq), with W transposed: q[i] = Σⱼ W[i,j]·x[j], so x[j] collects "
                                   "from every q[i] through column j of W. With W instead of Wᵀ the shapes only fit "
                                   "when W is square, and the numbers are wrong."),
        Mistake(_dW_summed, SUMMED),
    ),
    hints=(
        "Name the intermediate q = W @ x. Then f = q @ q, and df/dq = 2q (the derivative of each qᵢ² is 2qᵢ).",
        "q = W·x is notebook 06's matmul, with x a single column. Let the shapes place the factors: df/dW is "
        "(m, n) like W, from df/dq (m,) and x (n,); df/dx is (n,) like x, from W (m, n) and df/dq (m,).",
        "Check with the lecture's W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]: q = [0.22, 0.26], f = 0.116, "
        "df/dq = [0.44, 0.52], df/dW = [[0.088, 0.176], [0.104, 0.208]], df/dx = [-0.112, 0.636].",
    ),
    imports="import numpy as np",
)
