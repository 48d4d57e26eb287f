"""Notebook 11: the fused backward pass of batch norm (with Bessel's n − 1), by hand."""

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake
from ..side_effects import on_copies, written_into


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """For out = gamma · (x − mean) / √(var + eps) + beta, with the mean and the variance (Bessel's n − 1) of
    x (N, H) over the batch, return (dx, dgamma, dbeta) from dout = dL/dout (N, H); gamma and beta are (H,)."""
    n = len(x)
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)
    inv_std = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - n / (n - 1) * xhat * (dxhat * xhat).sum(axis=0))
    return dx, dgamma, dbeta


def _variant(ddof=1, mean_gradient=True, var_gradient=True, gamma_gradient=True):
    """The reference with the variance's n − ddof, and optionally the gradient through the mean or through the
    variance left out, or gamma left out of dx."""
    def answer(dout, x, gamma, eps=1e-5):
        n = len(x)
        var = x.var(axis=0, ddof=ddof)
        inv_std = 1 / np.sqrt(var + eps)
        xhat = (x - x.mean(axis=0)) * inv_std
        dxhat = dout * gamma if gamma_gradient else dout
        through_var = -xhat * (dxhat * xhat).sum(axis=0) / (n - ddof) if var_gradient else 0.0
        through_mean = -dxhat.sum(axis=0) / n if mean_gradient else 0.0
        return inv_std * (dxhat + through_mean + through_var), (dout * xhat).sum(axis=0), dout.sum(axis=0)
    return answer


BESSEL = ("The forward pass divides the squared deviations by n − 1 (Bessel's correction); your backward divides "
          "by n. Differentiate the variance the forward pass computed: d var / d x_i = 2 (x_i − mean) / (n − 1).")
MEAN_FORGOTTEN = ("Every x_i also moves the batch mean, and the mean moves every (x_j − mean): dx is missing the "
                  "term −(1/n)·Σ dxhat, the gradient that flows back through the mean.")
VAR_FORGOTTEN = ("Every x_i also moves the batch variance, and the variance scales every output: dx is missing the "
                 "path through the variance (through bnvar and bnvar_inv in your atomic chain).")
GAMMA_FORGOTTEN = ("dx is missing gamma: the output is gamma times the normalized x, so the gradient reaching the "
                   "normalized x is gamma · dout.")
NOT_SUMMED = ("gamma and beta were broadcast over the batch (one number per unit, used by every row), so their "
              "gradients are SUMS over the batch, axis 0: dgamma and dbeta have shape (H,).")
OUTPUTS = ("dx", "dgamma", "dbeta")


def probe(answer, dout, x, gamma):
    return on_copies(answer, OUTPUTS, dout=dout, x=x, gamma=gamma)


def inputs_kept(seen, dout, x, gamma):
    written_into(seen, dout=dout, x=x, gamma=gamma)


def summed(seen, dout, x, gamma):
    """dgamma or dbeta of x's shape was not summed over the batch (the shape check alone would not say why)."""
    for name in OUTPUTS[1:]:
        if seen[name].shape == x.shape:
            raise Failure(NOT_SUMMED, expected=f"{name}: shape {gamma.shape}", got=f"{name}: shape {x.shape}")


def _cases():
    rng = np.random.default_rng(32)
    cases = []
    for n, h in ((4, 3), (32, 8), (2, 5)):
        cases.append(Case(f"x of shape ({n}, {h})", (rng.normal(size=(n, h)), rng.normal(size=(n, h)) * 2 + 1,
                                                    rng.normal(size=h) + 1)))
    # Every output is scale-free in x, so an exact gradient is as exact here; finite differences of the loss
    # with a small fixed step cancel to about 1e-3.
    cases.append(Case("x and dout of size 1e8, shape (6, 4)", (rng.normal(size=(6, 4)) * 1e8,
                                                                rng.normal(size=(6, 4)) * 1e8, rng.normal(size=4) + 1)))
    return cases


EXERCISE = Exercise(
    id="batchnorm_backward",
    title="Fused batch-norm backward",
    notebook="11",
    section="14",
    points=3,
    prompt="Return (dx, dgamma, dbeta) for batch norm with Bessel's n − 1 in the variance, by hand.",
    reference=batchnorm_backward,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(inputs_kept, summed),
    by_hand=True,
    mistakes=(
        Mistake(_variant(ddof=0), BESSEL),
        Mistake(_variant(mean_gradient=False), MEAN_FORGOTTEN),
        Mistake(_variant(var_gradient=False), VAR_FORGOTTEN),
        Mistake(_variant(gamma_gradient=False), GAMMA_FORGOTTEN),
        Mistake(lambda dout, x, gamma, eps=1e-5: (_variant()(dout, x, gamma)[0],
                                                  dout * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps), dout),
                NOT_SUMMED),
    ),
    shape_why="Each gradient has the shape of its tensor: dx like x (N, H), dgamma and dbeta like gamma (H,).",
    hints=(
        "Start from your atomic chain (bndiff, bnvar, bnvar_inv, bnraw): every path from x to the output must "
        "be summed, the direct one and those through the mean and the variance.",
        "There are three: x_i directly, through the mean (which every x_j shares), and through the variance.",
        "Check: with x = [[1], [3]], gamma = [1], eps = 0 and dout = [[1], [0]]: dx = [[0], [0]] (two rows always "
        "normalize to ∓1/√2, whatever x is), dgamma = [−0.7071] and dbeta = [1].",
    ),
    imports="import numpy as np",
)
