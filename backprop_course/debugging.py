"""The debugging lab's network, its batches, and a gradient checker harness for hand-written backward passes.

The network, a ReLU MLP with a residual block and a square layer (D=2 -> H=5 -> 5 -> 5 -> C=3):

    z1 = X W1 + b1,   h1 = relu(z1)
    z2 = h1 W2 + b2,  h2 = relu(z2)             W2 is square
    z3 = h2 W3 + b3,  h3 = h2 + relu(z3)        a residual block: h2 forks
    logits = h3 W4 + b4,  loss = mean softmax cross-entropy

A backward pass is a dict {tensor name: step}, in backward order (LABELS), where `step(c, d)` returns the
gradient of that tensor (see backprop_course.planted_bugs). Activations' gradients are of the batch's total
loss (each example's own gradient); parameters' are of the mean loss.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

PARAMETERS = ("W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4")
# Every tensor the backward pass computes a gradient for, in the order it computes them.
LABELS = ("logits", "W4", "b4", "h3", "z3", "W3", "b3", "h2", "z2", "W2", "b2", "h1", "z1", "W1", "b1")

_FORWARD = (
    ("z1", lambda v: v["X"] @ v["W1"] + v["b1"]),
    ("h1", lambda v: np.maximum(v["z1"], 0)),
    ("z2", lambda v: v["h1"] @ v["W2"] + v["b2"]),
    ("h2", lambda v: np.maximum(v["z2"], 0)),
    ("z3", lambda v: v["h2"] @ v["W3"] + v["b3"]),
    ("h3", lambda v: v["h2"] + np.maximum(v["z3"], 0)),
    ("logits", lambda v: v["h3"] @ v["W4"] + v["b4"]),
)


def make_params(seed=0):
    """The network's weights: (D, H), (H,), (H, H), (H,), (H, H), (H,), (H, C), (C,) with D=2, H=5, C=3."""
    rng = np.random.default_rng(seed)
    shapes = dict(W1=(2, 5), b1=(5,), W2=(5, 5), b2=(5,), W3=(5, 5), b3=(5,), W4=(5, 3), b4=(3,))
    return {name: rng.normal(size=shape) * (1.0 if name.startswith("W") else 0.1) for name, shape in shapes.items()}


def make_batches(seed=1):
    """{"small inputs": (X, y), "large inputs": (X, y)}: 8 points each; the second has inputs 300 times larger,
    so its logits reach the thousands."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 3, size=8)
    return {"small inputs": (X, y), "large inputs": (X * 300, y)}


def forward(params, X, y, given=None):
    """Every value of the forward pass as a namespace (X, y, N, onehot, the parameters, z1 ... logits, and the
    losses); `given` replaces a parameter or an intermediate by a value of its own (the rest is recomputed)."""
    given = given or {}
    v = {"X": np.asarray(X, dtype=float), **params, **given}
    for name, compute in _FORWARD:
        if name not in given:
            v[name] = compute(v)
    logits = v["logits"]
    top = logits.max(axis=1, keepdims=True)                  # the max-shift keeps exp from overflowing
    log_probs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    y = np.asarray(y)
    losses = -log_probs[np.arange(len(y)), y]
    return SimpleNamespace(**v, y=y, N=len(y), onehot=np.eye(logits.shape[1])[y], losses=losses,
                           loss=losses.mean())


def loss_from(name, c):
    """f(t): the loss with tensor `name` replaced by t, for numeric gradients. The batch's total loss for an
    activation, the mean loss for a parameter (as the backward steps define them)."""
    params = {p: getattr(c, p) for p in PARAMETERS}
    mean = name in PARAMETERS

    def f(t):
        out = forward(params, c.X, c.y, given={name: t})
        return float(out.loss if mean else out.losses.sum())

    return f


def backward(steps, c, upstream=None):
    """Run `steps` in backward order on the forward values `c`: {name: gradient}. With `upstream` (a dict of
    correct gradients), each step is fed those instead of its own steps' results: a bug cannot spread."""
    d = {}
    with np.errstate(all="ignore"):  # an overflow shows as inf or NaN in the gradients, where the checker sees it
        for name in LABELS:
            d[name] = np.asarray(steps[name](c, d if upstream is None else upstream), dtype=float)
    return d


def numeric_gradients(c, numeric_grad):
    """{name: numeric gradient of the loss with respect to that tensor}, by `numeric_grad(f, x)`."""
    return {name: np.asarray(numeric_grad(loss_from(name, c), getattr(c, name)), dtype=float) for name in LABELS}


def gradient_errors(steps, c, numeric_grad, relative_error, local=False):
    """{name: relative error of the step's gradient against the numeric one}. local=True checks each step
    alone, fed correct upstream gradients; otherwise the whole backward pass runs as written."""
    numeric = numeric_gradients(c, numeric_grad)
    analytic = backward(steps, c, upstream=numeric if local else None)
    with np.errstate(all="ignore"):
        return {name: float(relative_error(analytic[name], numeric[name])) for name in LABELS}


def flagged(errors, tol=1e-6):
    """The names whose error is not below tol, in backward order (NaN is flagged: it is not below anything)."""
    return [name for name, err in errors.items() if not err < tol]


NOT_YET = "(yours is not written yet)"


def yours_or_course(yours, course, *probe):
    """(function, whose): the learner's function once it runs on `probe`, else the course's, with a label that
    says which one ran and why (a learner's function that crashes is named with its error, not run further)."""
    try:
        yours(*probe)
    except NotImplementedError:
        return course, f"the course's {course.__name__} {NOT_YET}"
    except Exception as exc:  # the learner's own bug: say so, and let the lab go on with the course's
        return course, (f"the course's {course.__name__} (yours raised {type(exc).__name__}: {str(exc)[:80]}; "
                        "run its check)")
    return yours, f"your {course.__name__}"


def your_checker(numeric_grad, relative_error):
    """(numeric_grad, relative_error, whose): the learner's two functions, each replaced by the course's until it
    is written, and a label that says which ones run."""
    from .exercises.catalog.n09b_relative_error import relative_error as course_relative_error

    grad, grad_whose = your_numeric_grad(numeric_grad)
    error, error_whose = yours_or_course(relative_error, course_relative_error, 1.0, 1.0)
    if grad_whose.endswith(NOT_YET) and error_whose.endswith(NOT_YET):
        return grad, error, "the course's numeric_grad and relative_error (yours are not written yet)"
    return grad, error, f"{grad_whose} and {error_whose}"


def your_numeric_grad(numeric_grad):
    """(numeric_grad, whose): the learner's numeric_grad, or the course's until it is written."""
    from .exercises.catalog.n09a_numeric_grad import numeric_grad as course_numeric_grad

    return yours_or_course(numeric_grad, course_numeric_grad, lambda v: float(v.sum()), np.zeros(1))
