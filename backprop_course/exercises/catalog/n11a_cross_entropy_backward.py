"""Notebook 11: the fused backward pass of the mean softmax cross-entropy, by hand."""

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake
from ..side_effects import on_copies, written_into


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
OUTPUTS = ("dlogits",)


def probe(answer, logits, y):
    return on_copies(answer, OUTPUTS, logits=logits, y=y)


def inputs_kept(seen, logits, y):
    written_into(seen, logits=logits, y=y)


def finite(seen, logits, y):
    """A gradient with nan or inf in it overflowed (the comparison alone would not say why)."""
    if not np.isfinite(seen["dlogits"]).all():
        raise Failure(CE_OVERFLOW)


def _cases():
    rng = np.random.default_rng(31)
    return [Case("4 rows, 3 classes", (rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]))),
            Case("32 rows, 27 classes", (rng.normal(size=(32, 27)) * 2, rng.integers(0, 27, 32))),
            Case("logits near 800 (a max-shift keeps exp finite)",
                 (rng.normal(size=(5, 4)) + 800.0, np.array([3, 0, 1, 1, 2]))),
            Case("logits of size 1e8 (each row's largest is 0)", (_far_apart(rng), np.array([0, 1, 2, 3, 4, 0])))]


def _far_apart(rng):
    """Logits so far apart that each row's softmax is one-hot: exact in floats, while finite differences of the
    loss (about 1e8) with a small fixed step cancel to noise."""
    logits = rng.normal(size=(6, 5)) * 1e8
    return logits - logits.max(axis=1, keepdims=True)


EXERCISE = Exercise(
    id="cross_entropy_backward",
    title="Fused cross-entropy backward",
    notebook="11",
    section="14",
    points=2,
    prompt="Return dL/dlogits for the mean softmax cross-entropy, in one fused expression, by hand.",
    reference=cross_entropy_backward,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(inputs_kept, finite),
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
)
