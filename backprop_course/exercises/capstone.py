"""Notebook 09: one training step of the lecture's two-layer net, then training it to a low loss."""

import numpy as np

from ..data import make_moons
from ..nn import cross_entropy
from ..tensor import Tensor
from .checking import Failure, as_numbers, compare, fmt, require_function
from .registry import Exercise, Mutant, register


def train_step(params, x, y, lr):
    """One step of gradient descent on f = W2·max(0, W1·x) with biases; return the loss before the step.

    params = [W1 (2×H), b1 (H,), W2 (H×2), b2 (2,)] are Tensors with requires_grad=True;
    x is an (N, 2) array, y holds N class labels (0 or 1), lr is the learning rate.
    The loss is cross_entropy(logits, y). Update the parameters in place.
    """
    W1, b1, W2, b2 = params
    hidden = (Tensor(x) @ W1 + b1).relu()
    loss = cross_entropy(hidden @ W2 + b2, y)
    for p in params:
        p.grad = None            # leaves accumulate across backward() calls: start from zero
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data   # downhill, in place
    return loss.item()


# Known-wrong answers -------------------------------------------------------------------------------
def _step_no_zero_grad(params, x, y, lr):
    W1, b1, W2, b2 = params
    loss = cross_entropy((Tensor(x) @ W1 + b1).relu() @ W2 + b2, y)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
    return loss.item()


def _step_uphill(params, x, y, lr):
    W1, b1, W2, b2 = params
    loss = cross_entropy((Tensor(x) @ W1 + b1).relu() @ W2 + b2, y)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data += lr * p.grad.data
    return loss.item()


def _step_rebinds(params, x, y, lr):
    W1, b1, W2, b2 = params
    loss = cross_entropy((Tensor(x) @ W1 + b1).relu() @ W2 + b2, y)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p = p - lr * p.grad  # the mistake: a new Tensor; the parameter is unchanged
    return loss.item()


def _step_no_relu(params, x, y, lr):
    W1, b1, W2, b2 = params
    loss = cross_entropy((Tensor(x) @ W1 + b1) @ W2 + b2, y)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
    return loss.item()


# The check -------------------------------------------------------------------------------------------
NAMES = ("W1", "b1", "W2", "b2")
HIDDEN, LR, STEPS, TARGET = 16, 0.5, 300, 0.1


def _init(seed):
    rng = np.random.default_rng(seed)
    shapes = [(2, HIDDEN), (HIDDEN,), (HIDDEN, 2), (2,)]
    scales = [1.0, 0.0, 1 / np.sqrt(HIDDEN), 0.0]
    return [Tensor(rng.normal(0, s, shape) if s else np.zeros(shape), requires_grad=True)
            for shape, s in zip(shapes, scales, strict=True)]


def _copy(params):
    return [Tensor(p.data.copy(), requires_grad=True) for p in params]


def _gradients(params, x, y):
    """The loss and the gradients at `params` (computed on copies)."""
    W1, b1, W2, b2 = ps = _copy(params)
    loss = cross_entropy((Tensor(x) @ W1 + b1).relu() @ W2 + b2, y)
    loss.backward()
    return loss.item(), [p.grad.data for p in ps]


def _loss_without_relu(params, x, y):
    W1, b1, W2, b2 = params
    return cross_entropy((Tensor(x) @ W1 + b1) @ W2 + b2, y).item()


def _check_step(fn, params, x, y, previous_grads):
    """One learner step on `params`, compared with the exact step; `previous_grads` are last step's gradients."""
    before = [p.data.copy() for p in params]
    loss, grads = _gradients(params, x, y)
    linear_loss = _loss_without_relu(params, x, y)
    got_loss = as_numbers(fn(params, x, y, LR), ("the loss",))
    compare(got_loss, (loss,), ("the returned loss",), [(
        (linear_loss,), "The loss is not that of the lecture's two-layer net "
        "f = W2·max(0, W1·x + b1) + b2: without the max(0, ·) (ReLU) the two layers collapse into one linear model.")],
        otherwise="Return the loss computed in this step, before the update, as a number (loss.item()).")
    alternatives = [
        (before, "The parameters did not change: update them in place, p.data -= lr * p.grad.data. Writing "
                 "p = p - lr * p.grad only makes a new Tensor and rebinds the name p."),
        ([b + LR * g for b, g in zip(before, grads, strict=True)],
         "That step goes uphill: subtract the gradient (p -= lr·grad) to descend."),
    ]
    if previous_grads is not None:
        alternatives.append(([b - LR * (g + h) for b, g, h in zip(before, grads, previous_grads, strict=True)],
                             "Gradients accumulate in leaves across backward() calls (+= at every use), so the "
                             "previous step's gradient was added in: set p.grad = None for every parameter before "
                             "each backward."))
    compare([p.data for p in params], [b - LR * g for b, g in zip(before, grads, strict=True)], NAMES,
            alternatives, rtol=1e-9, atol=1e-12)
    return grads


def _check(t, fn):
    require_function(fn, "train_step")
    x, y = make_moons(100, noise=0.1, seed=0)
    params = _init(12)
    t.case("one step from a seeded initialization (100 moons points, 16 hidden units, lr 0.5)")
    grads = _check_step(fn, params, x, y, None)
    t.case("a second step with the same parameters")
    _check_step(fn, params, x, y, grads)
    t.case(f"{STEPS} steps from a fresh initialization: the loss must fall below {TARGET}")
    params = _init(13)
    losses = [float(as_numbers(fn(params, x, y, LR), ("the loss",))[0]) for _ in range(STEPS)]
    final = _gradients(params, x, y)[0]
    if not final < TARGET:
        raise Failure(f"After {STEPS} steps the loss is {fmt(final)}, not below {TARGET}: training did not converge.",
                      expected=f"loss < {TARGET}", got=f"losses {fmt(losses[0])} → {fmt(losses[-1])}")


register(Exercise(
    id="train_step",
    title="Train the two-layer net with your own step",
    notebook="09",
    section="14",
    points=4,
    prompt="Write one gradient-descent step for f = W2·max(0, W1·x): forward, cross-entropy loss, clear old "
           "gradients, backward, update in place. The check then trains a fresh net with it on the moons data.",
    check=_check,
    hints=(
        "Forward: hidden = (Tensor(x) @ W1 + b1).relu(); logits = hidden @ W2 + b2; loss = cross_entropy(logits, y).",
        "Leaves accumulate gradients: set p.grad = None for every parameter before loss.backward().",
        "Update in place and downhill: p.data -= lr * p.grad.data. Return loss.item().",
    ),
    reference=train_step,
    imports="from backprop_course import Tensor\nfrom backprop_course.nn import cross_entropy",
    mutants=(
        Mutant(_step_no_zero_grad, "Gradients accumulate", "never clears p.grad between steps"),
        Mutant(_step_uphill, "uphill", "adds the gradient"),
        Mutant(_step_rebinds, "did not change", "p = p - lr * p.grad, which changes nothing"),
        Mutant(_step_no_relu, "max(0, ·)", "the net without its ReLU"),
    ),
    time_limit=30.0,
))
