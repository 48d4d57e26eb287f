"""Notebook 07: the backward pass of a two-layer ReLU network, by hand, one tensor at a time.

The learner's function runs with the engine switched off. Its gradients are compared in the order the backward
pass computes them (dW2, db2, dW1, db1), with the reference's (which agrees with the engine's to rounding); the
first wrong one is explained by the declared mistake that gives the same tensor on the same batch, or, when it is
a bias gradient of a telling shape, or NaN on large logits, by a diagnosis.
"""

from __future__ import annotations

import numpy as np

from ...data import make_spirals
from ...nn import cross_entropy
from ...tensor import Tensor
from ..checking import Failure, close
from ..edits import edited
from ..registry import Case, Exercise, Mistake


def mlp_backward(X, y, W1, b1, W2, b2):
    """Return (dW1, db1, dW2, db2) for L = mean softmax cross-entropy of
    logits = max(0, X @ W1 + b1) @ W2 + b2.

    X is (N, D), y holds N integer labels, W1 is (D, H), b1 (H,), W2 (H, C), b2 (C,).
    NumPy in and out, by hand: the engine is switched off while this runs.
    """
    N = len(y)
    z = X @ W1 + b1                      # forward, keeping what backward needs
    h = np.maximum(z, 0)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)

    dlogits = probs.copy()               # (softmax - onehot) / N; the max-shift receives zero gradient
    dlogits[np.arange(N), y] -= 1
    dlogits /= N
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)            # b2 was broadcast over the batch: sum it back
    dh = dlogits @ W2.T
    dz = dh * (z > 0)                    # the ReLU mask, from the forward pass
    dW1 = X.T @ dz
    db1 = dz.sum(axis=0)
    return dW1, db1, dW2, db2


# The mistakes: the reference with one change each, and the message that explains it -----------------------
NO_N = ("dW2 and db2 are right but dW1 is N times too large: a /N went missing on the way back. Divide once, in "
        "dlogits, and every gradient downstream inherits it.")
SUM_NOT_MEAN = ("Every gradient is N times too large: these are the gradients of the summed loss, but L is the MEAN "
                "over the batch, so dlogits carries a factor 1/N.")
BIAS_AXIS = ("A bias gradient has the bias's shape, one number per unit: b was broadcast over the batch (axis 0) "
             "in the forward pass, and a broadcast forward is a sum backward over that same axis.")
BIAS_NOT_SUMMED = ("A bias gradient has one row per example here: b was added to every row of the batch, so its "
                   "gradient is the SUM of those rows: one number per unit.")
MASK_AT_ZERO = ("The ReLU passes the gradient only where z > 0. At exactly z = 0 it passes nothing (the course's "
                "convention, and the engine's); this batch has a pre-activation that is exactly 0. "
                "The mask needs a strict z > 0, not z >= 0.")
MASK_QUANTITY = ("The ReLU mask comes from the forward pass: the gradient passes where the input z was positive, "
                 "whatever the sign of the gradient itself.")
W2_NOT_TRANSPOSED = ("dh went back through W2 itself, not its transpose. On this square batch the shapes happen to "
                     "fit; with C ≠ H they would not. Dimension analysis: which product of dlogits (N, C) and W2 "
                     "(H, C) has h's shape (N, H)?")
X_WRONG_SIDE = ("A weight gradient has the weight's shape (inputs × outputs): the layer's input, transposed, goes on "
                "the LEFT of its output's gradient. Yours is the transpose.")
NO_ONEHOT = ("Differentiating -log softmax(logits)[y] subtracts 1 at each example's true class. Your dlogits is the "
             "softmax without that subtraction.")
SIGN_FLIPPED = ("Every gradient has the opposite sign: L is minus the log-probability of the true class, so raising "
                "the true class's logit lowers L (a negative entry of dlogits) and raising any other logit raises it "
                "(a positive entry).")
MASK_IS_H = ("dz = dh · h scales the gradient by the ReLU's output. The ReLU's local gradient is 1 where z > 0 and 0 "
             "elsewhere: a mask from the forward pass, not the activation's value.")
OVERFLOW = ("Your gradients hold NaN or inf on this batch, whose logits are near 1000: exp(1000) overflows float64 "
            "to inf, and inf / inf is NaN. Compute the softmax the stable way, subtracting each row's maximum before "
            "the exponential (it changes no probability).")


def alone_too_large(name):
    return (f"{name} is N times too large (N, the batch size), while every gradient computed before it in the "
            "backward pass is right: L is the mean over the batch, and the 1/N that dlogits carries reaches every "
            f"gradient downstream, {name} included.")


def _changed(name, *edits):
    return edited(mlp_backward, name, *edits, np=np)


def _engine_backward(X, y, W1, b1, W2, b2):
    """The engine's gradients (for the tests: the reference agrees with them to rounding)."""
    W1, b1, W2, b2 = (Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2))
    cross_entropy((Tensor(X) @ W1 + b1).relu() @ W2 + b2, y).backward()
    return W1.grad.numpy(), b1.grad.numpy(), W2.grad.numpy(), b2.grad.numpy()


# The mistakes, in the order the check tries them as explanations.
TIMES_N = {"dW2": "dW2 = h.T @ dlogits", "db2": "db2 = dlogits.sum(axis=0)", "dW1": "dW1 = X.T @ dz",
           "db1": "db1 = dz.sum(axis=0)"}
MISTAKES = (
    *(Mistake(_changed(f"{name}_times_n", (line, f"{line} * N")), alone_too_large(name))
      for name, line in TIMES_N.items()),
    Mistake(_changed("no_n_downstream", ("    dlogits /= N\n", ""), ("dW2 = h.T @ dlogits", "dW2 = h.T @ dlogits / N"),
                     ("db2 = dlogits.sum(axis=0)", "db2 = dlogits.sum(axis=0) / N")), NO_N),
    Mistake(_changed("gradient_of_the_sum", ("    dlogits /= N\n", "")), SUM_NOT_MEAN),
    Mistake(_changed("bias_wrong_axis", ("dlogits.sum(axis=0)", "dlogits.sum(axis=1)"),
                     ("dz.sum(axis=0)", "dz.sum(axis=1)")), BIAS_AXIS),
    Mistake(_changed("bias_not_summed", ("dlogits.sum(axis=0)", "dlogits"), ("dz.sum(axis=0)", "dz")), BIAS_NOT_SUMMED),
    Mistake(_changed("mask_at_zero", ("(z > 0)", "(z >= 0)")), MASK_AT_ZERO),
    Mistake(_changed("mask_on_gradient", ("(z > 0)", "(dh > 0)")), MASK_QUANTITY),
    Mistake(_changed("w2_not_transposed", ("dlogits @ W2.T", "dlogits @ W2")), W2_NOT_TRANSPOSED),
    Mistake(_changed("input_on_the_right", ("h.T @ dlogits", "dlogits.T @ h"), ("X.T @ dz", "dz.T @ X")),
            X_WRONG_SIDE),
    Mistake(_changed("no_onehot", ("    dlogits[np.arange(N), y] -= 1\n", "")), NO_ONEHOT),
    Mistake(_changed("sign_flipped", ("    dlogits /= N\n", "    dlogits /= -N\n")), SIGN_FLIPPED),
    Mistake(_changed("mask_is_h", ("dh * (z > 0)", "dh * h")), MASK_IS_H),
    Mistake(_changed("no_max_shift", ("logits - logits.max(axis=1, keepdims=True)", "logits")), OVERFLOW),
)

# Compared in the order the backward pass computes them.
OUTPUTS = ("dW2", "db2", "dW1", "db1")


def _square_batch(exact_zero=False):
    """5 points, 3 -> 3 -> 3, so that a missing transpose changes values, not shapes."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 3))
    W1, W2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    b1, b2 = np.array([0.1, 0.5, -0.5]), rng.normal(size=3) * 0.1
    if exact_zero:
        X[0], b1[0] = 0.0, 0.0   # z[0, 0] is exactly 0
    return X, np.array([0, 2, 1, 2, 0]), W1, b1, W2, b2


def _spiral_batch():
    X, y = make_spirals(64, classes=3, seed=0)
    rng = np.random.default_rng(1)
    return X, y, rng.normal(size=(2, 16)), rng.normal(size=16) * 0.1, rng.normal(size=(16, 3)) / 4, np.zeros(3)


def _random_batch():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(20, 4))
    return (X, rng.integers(0, 5, 20), rng.normal(size=(4, 7)), rng.normal(size=7), rng.normal(size=(7, 5)),
            rng.normal(size=5))


def _confident_batch():
    """Logits near 1000 (a very confident network): a softmax without the max-shift overflows."""
    X, y, W1, b1, W2, _ = _square_batch()
    return X, y, W1, b1, W2 * 5, np.array([1000.0, 995.0, 1003.0])


def _cases():
    return [Case("5 points, 3 → 3 → 3", _square_batch()),
            Case("the same batch with a pre-activation exactly 0", _square_batch(exact_zero=True)),
            Case("the same batch with logits near 1000", _confident_batch()),
            Case("64 spiral points, 2 → 16 → 3", _spiral_batch()),
            Case("20 random points, 4 → 7 → 5", _random_batch())]


def probe(answer, X, y, W1, b1, W2, b2):
    """The gradients in the order the backward pass computes them (dW2, db2, dW1, db1)."""
    out = answer(X, y, W1, b1, W2, b2)
    if isinstance(out, (tuple, list)) and len(out) == 4:
        return out[2], out[3], out[0], out[1]
    return out


def finite_on_large_logits(seen, X, y, W1, b1, W2, b2):
    """The diagnosis: on the batch whose logits are near 1000, no gradient holds NaN or inf."""
    if np.abs(b2).max() > 100 and not all(np.isfinite(seen[name]).all() for name in OUTPUTS):
        raise Failure(OVERFLOW)


def bias_shapes(seen, X, y, W1, b1, W2, b2):
    """The diagnosis: when the first wrong gradient (in backward order) is a bias gradient with one number per
    example, or one row per example, its shape tells what went wrong."""
    dW1, db1, dW2, db2 = mlp_backward(X, y, W1, b1, W2, b2)
    for name, expected in zip(OUTPUTS, (dW2, db2, dW1, db1), strict=True):
        got = seen[name]
        if got.shape == expected.shape:
            if close(got, expected):
                continue
            return                       # the first wrong tensor has the right shape: let the values speak
        if name.startswith("db") and got.shape == (len(y),):
            raise Failure(BIAS_AXIS, expected=f"{name}: shape {expected.shape}", got=f"{name}: shape {got.shape}")
        if name.startswith("db") and got.ndim == 2 and got.shape[0] == len(y):
            raise Failure(BIAS_NOT_SUMMED, expected=f"{name}: shape {expected.shape}",
                          got=f"{name}: shape {got.shape}")
        return


def _advice(exc):
    if isinstance(exc, ValueError) and "matmul" in str(exc):
        return ("The shapes do not fit: every gradient has the shape of what it is for, dh that of h (N, H), dz "
                "that of z, and each dW that of its W. Which product of the two factors, each maybe transposed, "
                "has that shape?")
    return None


EXERCISE = Exercise(
    id="mlp_backward",
    title="Backpropagate a network by hand",
    notebook="07",
    section="14",
    points=5,
    prompt="Write the backward pass of logits = max(0, X @ W1 + b1) @ W2 + b2 with the mean softmax "
           "cross-entropy loss, by hand in NumPy: return (dW1, db1, dW2, db2). The engine is off while it runs; "
           "the check names the first wrong tensor in the order the backward pass computes them.",
    reference=mlp_backward,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(finite_on_large_logits, bias_shapes),
    mistakes=MISTAKES,
    by_hand=True,
    shape_why="A gradient has the shape of its tensor: dW1 like W1 (D, H), db1 like b1 (H,), dW2 like W2 (H, C), "
              "db2 like b2 (C,).",
    otherwise="This is the first wrong tensor (in the order the backward pass computes them: dW2, db2, dW1, db1).",
    hints=(
        "Redo the forward pass first, keeping z, h and the softmax probabilities: the backward pass needs them.",
        ("dW2", "Start from dlogits, shape (N, C): notebook 07's first steps. Then dW2 has W2's shape (H, C) and "
                "db2 b2's shape (C,). A check you can run: every row of dlogits sums to 0, so db2 sums to 0 too."),
        ("dW1", "Back through the second matmul to dh, shape (N, H) like h, then through the ReLU to dz, shape "
                "(N, H) like z. A check you can run: dz is exactly 0 wherever h is 0, and db1 has shape (H,)."),
    ),
    advice=_advice,
    imports="import numpy as np",
)
