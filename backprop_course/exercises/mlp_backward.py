"""Notebook 07: the backward pass of a two-layer ReLU network, by hand, one tensor at a time.

The learner's function runs with the engine switched off. Its gradients are compared with the engine's in the
order the backward pass computes them (dW2, db2, dW1, db1); the first wrong one is explained by the declared
mistake that gives the same tensor on the same batch.
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from .. import autodiff
from ..data import make_spirals
from ..nn import cross_entropy
from ..tensor import Tensor
from .checking import Failure, as_numbers, fmt, require_function
from .registry import Exercise, Mutant, register


def mlp_backward(X, y, W1, b1, W2, b2):
    """Return (dW1, db1, dW2, db2) for L = mean softmax cross-entropy of logits = max(0, X @ W1 + b1) @ W2 + b2.

    X is (N, D), y holds N integer labels, W1 is (D, H), b1 (H,), W2 (H, C), b2 (C,). NumPy in and out, by hand:
    the engine is switched off while this runs.
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
        "dlogits = (softmax - onehot) / N, and every gradient downstream inherits it.")
SUM_NOT_MEAN = ("Every gradient is N times too large: these are the gradients of the summed loss, but L is the MEAN "
                "over the batch, so dlogits = (softmax - onehot) / N.")
BIAS_AXIS = ("A bias gradient has the bias's shape, one number per unit: b was broadcast over the batch (axis 0) "
             "in the forward pass, and a broadcast forward is a sum backward over that same axis, "
             "db = d(output).sum(axis=0).")
BIAS_NOT_SUMMED = ("A bias gradient has one row per example here: b was added to every row of the batch, so its "
                   "gradient is the SUM of those rows, db = d(output).sum(axis=0).")
MASK_AT_ZERO = ("The ReLU passes the gradient only where z > 0. At exactly z = 0 it passes nothing (the course's "
                "convention, and the engine's); this batch has a pre-activation that is exactly 0. "
                "Use dz = dh * (z > 0), not z >= 0.")
MASK_QUANTITY = ("The ReLU mask comes from the forward pass: the gradient passes where the input z was positive, "
                 "whatever the sign of the gradient itself. Use dz = dh * (z > 0).")
W2_NOT_TRANSPOSED = ("dh = dlogits · W2ᵀ: logits = h · W2, so the gradient goes back through W2 transposed "
                     "(dimension analysis: (N, C) · (C, H) gives h's shape (N, H)).")
X_WRONG_SIDE = ("A weight gradient has the weight's shape (inputs × outputs): dW1 = Xᵀ · dz and dW2 = hᵀ · dlogits, "
                "the transposed input on the LEFT. Yours is the transpose.")
NO_ONEHOT = ("dlogits = (softmax - onehot) / N: differentiating -log softmax(logits)[y] subtracts 1 at each "
             "example's true class. Yours is the softmax without the one-hot subtraction.")
NUMERIC = ("Close to the engine's gradients, but not exact, as numeric estimates (central differences) are. "
           "Derive the backward pass by hand, tensor by tensor: it agrees with the engine's to about 1e-12.")
USES_ENGINE = ("The engine is switched off for this exercise: write the backward pass with NumPy, by hand (no "
               "Tensor with requires_grad, no backward(), no func transforms).")

_REFERENCE_SOURCE = textwrap.dedent(inspect.getsource(mlp_backward))


def _changed(name, *edits):
    """The reference with `edits` ((old, new) source pairs) applied: a known-wrong answer."""
    source = _REFERENCE_SOURCE
    for old, new in edits:
        assert old in source, f"{name}: {old!r} is not in the reference"
        source = source.replace(old, new)
    namespace = {"np": np}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    fn = namespace["mlp_backward"]
    fn.__name__ = fn.__qualname__ = name
    return fn


def _central_differences(X, y, W1, b1, W2, b2, eps=1e-6):
    """Numeric gradients: nudge every parameter entry both ways."""
    def loss(W1, b1, W2, b2):
        logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_probs[np.arange(len(y)), y].mean()

    params = [p.astype(float) for p in (W1, b1, W2, b2)]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss(*params)
            p[i] = old - eps
            down = loss(*params)
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return tuple(grads)


def _engine_backward(X, y, W1, b1, W2, b2):
    W1, b1, W2, b2 = (Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2))
    cross_entropy((Tensor(X) @ W1 + b1).relu() @ W2 + b2, y).backward()
    return W1.grad.numpy(), b1.grad.numpy(), W2.grad.numpy(), b2.grad.numpy()


# Value-comparable mistakes, in the order the check tries them as explanations.
MISTAKES = (
    (_changed("no_n_downstream", ("    dlogits /= N\n", ""), ("dW2 = h.T @ dlogits", "dW2 = h.T @ dlogits / N"),
              ("db2 = dlogits.sum(axis=0)", "db2 = dlogits.sum(axis=0) / N")), NO_N),
    (_changed("gradient_of_the_sum", ("    dlogits /= N\n", "")), SUM_NOT_MEAN),
    (_changed("bias_wrong_axis", ("dlogits.sum(axis=0)", "dlogits.sum(axis=1)"), ("dz.sum(axis=0)", "dz.sum(axis=1)")),
     BIAS_AXIS),
    (_changed("bias_not_summed", ("dlogits.sum(axis=0)", "dlogits"), ("dz.sum(axis=0)", "dz")), BIAS_NOT_SUMMED),
    (_changed("mask_at_zero", ("(z > 0)", "(z >= 0)")), MASK_AT_ZERO),
    (_changed("mask_on_gradient", ("(z > 0)", "(dh > 0)")), MASK_QUANTITY),
    (_changed("w2_not_transposed", ("dlogits @ W2.T", "dlogits @ W2")), W2_NOT_TRANSPOSED),
    (_changed("input_on_the_right", ("h.T @ dlogits", "dlogits.T @ h"), ("X.T @ dz", "dz.T @ X")), X_WRONG_SIDE),
    (_changed("no_onehot", ("    dlogits[np.arange(N), y] -= 1\n", "")), NO_ONEHOT),
)

NAMES = ("dW1", "db1", "dW2", "db2")
BACKWARD_ORDER = (2, 3, 0, 1)          # dW2 and db2 are computed first
PARAMS = ("W1", "b1", "W2", "b2")


def _square_batch():
    """5 points, 3 -> 3 -> 3 (so a missing transpose changes values, not shapes); z[0, 0] is exactly 0."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 3))
    X[0] = 0.0
    W1, W2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    b1, b2 = np.array([0.0, 0.5, -0.5]), rng.normal(size=3) * 0.1
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


def _close(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _nearly_everywhere(got, expected):
    """Most entries within 1e-4 of the truth: an estimate (a nudge across the ReLU's kink misses by more)."""
    if any(g.shape != e.shape for g, e in zip(got, expected, strict=True)):
        return False
    g, e = np.concatenate([a.ravel() for a in got]), np.concatenate([a.ravel() for a in expected])
    return bool(np.mean(np.abs(g - e) <= 1e-4 * np.abs(e) + 1e-7) > 0.9)


def _explain(got, inputs, k):
    """The message of the first declared mistake whose tensor k matches the learner's."""
    for fn, why in MISTAKES:
        try:
            theirs = as_numbers(fn(*(np.copy(a) for a in inputs)), NAMES)
        except Exception:  # noqa: BLE001 - a mistake that crashes on this batch explains nothing here
            continue
        if _close(got[k], theirs[k]):
            return why
    return None


def _check_batch(fn, inputs):
    expected = _engine_backward(*inputs)
    try:
        with autodiff.differentiation_disabled("mlp_backward is written by hand"):
            out = fn(*(np.copy(a) for a in inputs))
    except autodiff.DifferentiationDisabled:
        raise Failure(USES_ENGINE) from None
    got = as_numbers(out, NAMES)
    wrong = [k for k in BACKWARD_ORDER if not _close(got[k], expected[k])]
    if not wrong:
        return
    k = wrong[0]
    name, shape = NAMES[k], expected[k].shape
    why = _explain(got, inputs, k)
    if why is None and _nearly_everywhere(got, expected):
        why = NUMERIC
    if why is None:
        why = (f"{name} is the first wrong tensor (the backward pass computes dW2 and db2 first, then dW1 and db1)"
               + (f": it must have the shape of {PARAMS[k]}, {shape}." if got[k].shape != shape else "."))
    raise Failure(why, expected=f"{name} = {fmt(expected[k])}" if got[k].shape == shape else f"{name}: shape {shape}",
                  got=f"{name} = {fmt(got[k])}" if got[k].shape == shape else f"{name}: shape {got[k].shape}")


def _check(t, fn):
    require_function(fn, "mlp_backward")
    for description, batch in [
        ("5 points, 3 → 3 → 3, one pre-activation exactly 0", _square_batch),
        ("64 spiral points, 2 → 16 → 3", _spiral_batch),
        ("20 random points, 4 → 7 → 5", _random_batch),
    ]:
        t.case(description)
        _check_batch(fn, batch())


def _advice(exc):
    if isinstance(exc, ValueError) and "matmul" in str(exc):
        return ("The shapes do not fit: every gradient has the shape of what it is for. dh = dlogits · W2ᵀ has "
                "h's shape (N, H), dz the shape of z, and dW = (the layer's input)ᵀ · d(its output) has W's shape.")
    return None


register(Exercise(
    id="mlp_backward",
    title="Backpropagate a network by hand",
    notebook="07",
    section="14",
    points=5,
    prompt="Write the backward pass of logits = max(0, X @ W1 + b1) @ W2 + b2 with the mean softmax "
           "cross-entropy loss, by hand in NumPy: return (dW1, db1, dW2, db2). The engine is off while it runs.",
    check=_check,
    hints=(
        "Redo the forward pass first, keeping z, h and the softmax probabilities: the backward pass needs them.",
        "dlogits = (softmax - onehot) / N. Then each layer: dW = inputᵀ · d(output), db = d(output).sum(axis=0), "
        "d(input) = d(output) · Wᵀ.",
        "Between the layers sits the ReLU: dz = dh * (z > 0). Check every gradient's shape against its tensor's.",
    ),
    reference=mlp_backward,
    imports="import numpy as np",
    mutants=(
        *(Mutant(fn, why, fn.__name__.replace("_", " ")) for fn, why in MISTAKES),
        Mutant(_central_differences, NUMERIC, "numeric gradients by central differences"),
        Mutant(_engine_backward, USES_ENGINE, "the engine's own gradients"),
    ),
    time_limit=10.0,
    advice=_advice,
))
