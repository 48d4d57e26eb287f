"""Notebook 11: the fused backward passes of cross-entropy and batch norm, and an embedding's scatter-add, by hand."""

from __future__ import annotations

import numpy as np

from .checking import Failure
from .registry import Case, Exercise, Mistake, register
from .vectors import unchanged


# Cross-entropy -------------------------------------------------------------------------------------------
def cross_entropy_backward(logits, y):
    """Return dL/dlogits for L = mean over the N rows of -log softmax(logits)[i, y[i]]; logits is (N, C)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(y)), y] -= 1
    return probs / len(y)


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _onehot(y, c):
    return np.eye(c)[y]


CE_SIGN = ("The sign is flipped: L = −log p_y falls as the true class's logit rises, so dL/dlogit_y = p_y − 1 is "
           "negative there, and dlogits = (softmax − onehot) / N.")
CE_NO_N = "Every entry is N times too large: L is the MEAN over the N rows, so each row's gradient carries 1/N."
CE_NO_ONEHOT = ("That is softmax / N, without the −1 at each row's true class: differentiating −log p_y through "
                "the log and the softmax subtracts 1 where the class is y.")
CE_OVERFLOW = ("Your gradient has nan or inf in it: exp of a logit of 800 overflows. Subtract each row's maximum "
               "before exp; it changes no probability.")


def _ce_run(answer, logits, y):
    out = unchanged(answer, logits, y, names=("logits", "y"))
    if np.any(~np.isfinite(np.asarray(out, dtype=float))):
        raise Failure(CE_OVERFLOW)
    return out


def _ce_cases():
    rng = np.random.default_rng(31)
    return [Case("4 rows, 3 classes", (rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]))),
            Case("32 rows, 27 classes", (rng.normal(size=(32, 27)) * 2, rng.integers(0, 27, 32))),
            Case("logits near 800 (a max-shift keeps exp finite)",
                 (rng.normal(size=(5, 4)) + 800.0, np.array([3, 0, 1, 1, 2])))]


register(Exercise(
    id="cross_entropy_backward",
    title="Fused cross-entropy backward",
    notebook="11",
    section="14",
    points=2,
    prompt="Return dL/dlogits for the mean softmax cross-entropy, in one fused expression, by hand.",
    reference=cross_entropy_backward,
    cases=_ce_cases,
    outputs=("dlogits",),
    probe=_ce_run,
    by_hand=True,
    mistakes=(
        Mistake(lambda lg, y: (_onehot(y, lg.shape[1]) - _softmax(lg)) / len(y), CE_SIGN),
        Mistake(lambda lg, y: _softmax(lg) - _onehot(y, lg.shape[1]), CE_NO_N),
        Mistake(lambda lg, y: _softmax(lg) / len(y), CE_NO_ONEHOT),
    ),
    shape_why="dlogits has the shape of logits, (N, C).",
    hints=(
        "Compare with your atomic chain: everything from dlogprobs to dlogits collapses into one expression.",
        "Each row on its own: −log p_y = −logit_y + log Σ_j exp(logit_j). Differentiate both terms with respect "
        "to each logit_j (the first only where j = y), then remember the mean over N rows.",
        "Check: logits = [[0, 0]] with y = [0] gives [[−0.5, 0.5]].",
    ),
    imports="import numpy as np",
))


# Batch norm --------------------------------------------------------------------------------------------
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


def _bn_variant(ddof=1, mean_gradient=True, var_gradient=True, gamma_gradient=True):
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
BN_OUTPUTS = ("dx", "dgamma", "dbeta")


def _bn_run(answer, dout, x, gamma):
    out = unchanged(answer, dout, x, gamma, names=("dout", "x", "gamma"))
    if isinstance(out, (tuple, list)) and len(out) == 3:
        for name, g in zip(BN_OUTPUTS[1:], out[1:], strict=True):
            if np.shape(g) == x.shape:
                raise Failure(NOT_SUMMED, expected=f"{name}: shape {gamma.shape}", got=f"{name}: shape {x.shape}")
    return out


def _bn_cases():
    rng = np.random.default_rng(32)
    cases = []
    for n, h in ((4, 3), (32, 8), (2, 5)):
        cases.append(Case(f"x of shape ({n}, {h})", (rng.normal(size=(n, h)), rng.normal(size=(n, h)) * 2 + 1,
                                                    rng.normal(size=h) + 1)))
    return cases


register(Exercise(
    id="batchnorm_backward",
    title="Fused batch-norm backward",
    notebook="11",
    section="14",
    points=3,
    prompt="Return (dx, dgamma, dbeta) for batch norm with Bessel's n − 1 in the variance, by hand.",
    reference=batchnorm_backward,
    cases=_bn_cases,
    outputs=BN_OUTPUTS,
    probe=_bn_run,
    by_hand=True,
    mistakes=(
        Mistake(_bn_variant(ddof=0), BESSEL),
        Mistake(_bn_variant(mean_gradient=False), MEAN_FORGOTTEN),
        Mistake(_bn_variant(var_gradient=False), VAR_FORGOTTEN),
        Mistake(_bn_variant(gamma_gradient=False), GAMMA_FORGOTTEN),
        Mistake(lambda dout, x, gamma, eps=1e-5: (_bn_variant()(dout, x, gamma)[0],
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
))


# Embedding ---------------------------------------------------------------------------------------------
def embedding_backward(X, demb, vocab_size):
    """For emb = C[X] with X (N,) integer indices into a table C (vocab_size, d), return dL/dC, of C's shape,
    from demb = dL/demb (N, d)."""
    dC = np.zeros((vocab_size, demb.shape[1]))
    np.add.at(dC, X, demb)   # a row of C used k times gets the sum of its k gradients
    return dC


def _emb_assign(X, demb, vocab_size):
    dC = np.zeros((vocab_size, demb.shape[1]))
    dC[X] += demb
    return dC


def _emb_mean(X, demb, vocab_size):
    dC = embedding_backward(X, demb, vocab_size)
    counts = np.bincount(X, minlength=vocab_size)[:, None]
    return dC / np.maximum(counts, 1)


def _emb_total(X, demb, vocab_size):
    dC = np.zeros((vocab_size, demb.shape[1]))
    dC[np.unique(X)] = demb.sum(axis=0)
    return dC


SCATTER = ("A row of C used k times must get the SUM of its k gradients. `dC[X] = demb` and `dC[X] += demb` both "
           "keep just one of them for a repeated index (NumPy's fancy-index += reads all, then writes each once); "
           "NumPy's unbuffered np.add.at adds every one.")
MEAN = "A row used k times gets the sum of its k gradients, not their mean: don't divide by the count."
TOTAL = ("Every used row got the gradient of the whole batch: row r gets only the rows of demb where X == r.")


def _emb_cases():
    rng = np.random.default_rng(33)
    return [Case("X = [1, 3, 1, 0, 1] into a table of 5 rows of width 2",
                 (np.array([1, 3, 1, 0, 1]), rng.normal(size=(5, 2)), 5)),
            Case("32 characters of the word list, vocabulary 27, width 4",
                 (rng.integers(0, 27, 32), rng.normal(size=(32, 4)), 27)),
            Case("every index once: X = [2, 0, 1]", (np.array([2, 0, 1]), rng.normal(size=(3, 3)), 4))]


register(Exercise(
    id="embedding_backward",
    title="Backward through an embedding lookup",
    notebook="11",
    section="14",
    points=2,
    prompt="Return dC for emb = C[X], from the upstream demb, by hand.",
    reference=embedding_backward,
    cases=_emb_cases,
    outputs=("dC",),
    probe=lambda answer, X, demb, v: unchanged(lambda a, b: answer(a, b, v), X, demb, names=("X", "demb")),
    by_hand=True,
    mistakes=(
        Mistake(_emb_assign, SCATTER),
        Mistake(_emb_mean, MEAN),
        Mistake(_emb_total, TOTAL),
    ),
    shape_why="dC has the shape of the table C, (vocab_size, d).",
    hints=(
        "emb[i] is a copy of row X[i] of C: the gradient of a copy flows back to where it was copied from.",
        "The same row can be copied many times in one batch; its gradients add up (a fork, as in notebook 02).",
        "Check: X = [1, 1] with demb = [[1], [2]] and vocab_size 2 gives dC = [[0], [3]].",
    ),
    imports="import numpy as np",
))
