"""Notebook 12: one training step of the lecture's two-layer net, then training it to a low loss."""

import numpy as np

from ...data import make_moons
from ...nn import cross_entropy
from ...tensor import Tensor
from ..checking import Failure, Seen, fmt
from ..registry import Case, Exercise, Mistake


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


# Known-wrong answers, one switch each ------------------------------------------------------------------
def _step(hidden=lambda h: h.relu(), zero_grad=True, sign=-1.0, updated=(0, 1, 2, 3), rebind=False):
    def answer(params, x, y, lr):
        W1, b1, W2, b2 = params
        loss = cross_entropy(hidden(Tensor(x) @ W1 + b1) @ W2 + b2, y)
        if zero_grad:
            for p in params:
                p.grad = None
        loss.backward()
        for i in updated:
            p = params[i]
            if rebind:
                p = p - lr * p.grad  # the mistake: a new Tensor; the parameter is unchanged
            else:
                p.data += sign * lr * p.grad.data
        return loss.item()
    return answer


# The check -------------------------------------------------------------------------------------------
HIDDEN, LR, STEPS, TARGET = 16, 0.5, 300, 0.1
COMPARED = 2  # steps compared with the reference's, number by number; a longer run is judged by its final loss
PARAMS = ("W1", "b1", "W2", "b2")
OUTPUTS = ("the returned loss", *PARAMS)
TRAINED = tuple(f"trained {name}" for name in PARAMS)


def _moons():
    return make_moons(100, noise=0.1, seed=0)


def _init(seed):
    rng = np.random.default_rng(seed)
    shapes = [(2, HIDDEN), (HIDDEN,), (HIDDEN, 2), (2,)]
    scales = [1.0, 0.0, 1 / np.sqrt(HIDDEN), 0.0]
    return [Tensor(rng.normal(0, s, shape) if s else np.zeros(shape), requires_grad=True)
            for shape, s in zip(shapes, scales, strict=True)]


def probe(answer, steps):
    """`steps` steps from a seeded start: the loss returned by the last compared step and the parameters after
    it, and after a full training run the trained parameters too, which `converges` judges."""
    x, y = _moons()
    params = _init(12 if steps < STEPS else 13)
    seen = Seen()
    for step in range(1, steps + 1):
        loss = answer(params, x, y, LR)
        if step == min(steps, COMPARED):
            seen.update(zip(OUTPUTS, (loss, *(p.data.copy() for p in params)), strict=True))
    if steps == STEPS:
        seen.update(zip(TRAINED, (p.data for p in params), strict=True))
    return seen


def converges(seen, steps):
    """After a full training run, the loss of the trained parameters, computed here, must be below TARGET."""
    if steps < STEPS:
        return
    x, y = _moons()
    W1, b1, W2, b2 = (Tensor(seen[name]) for name in TRAINED)
    final = cross_entropy((Tensor(x) @ W1 + b1).relu() @ W2 + b2, y).item()
    if not final < TARGET:
        raise Failure(f"After {STEPS} steps the loss is still above {TARGET}: training did not converge.",
                      expected=f"loss < {TARGET}", got=f"loss {fmt(final)}")


NOT_UPDATED = ("The parameters did not change: a step must change each parameter's own data in place. Writing "
               "p = p - lr * p.grad only makes a new Tensor and rebinds the name p.")

EXERCISE = Exercise(
    id="train_step",
    title="Train the two-layer net with your own step",
    notebook="12",
    section="14",
    points=4,
    prompt="Write one gradient-descent step for f = W2·max(0, W1·x): forward, cross-entropy loss, clear old "
           "gradients, backward, update in place. The check then trains a fresh net with it on the moons data.",
    reference=train_step,
    cases=lambda: [Case("one step from a seeded initialization (100 moons points, 16 hidden units, lr 0.5)", (1,)),
                   Case("two steps from the same initialization", (2,)),
                   Case(f"{STEPS} steps from a fresh initialization: the loss must fall below {TARGET}", (STEPS,))],
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(converges,),
    rtol=1e-9,
    otherwise="Return the loss computed in this step, before the update, as a number (loss.item()).",
    mistakes=(
        Mistake(_step(zero_grad=False), "Gradients accumulate in leaves across backward() calls (+= at every use), "
                                        "so the previous step's gradient was added in: clear every parameter's "
                                        "gradient before each backward."),
        Mistake(_step(sign=1.0), "That step goes uphill: subtract the gradient (p -= lr·grad) to descend."),
        Mistake(_step(rebind=True), NOT_UPDATED),
        Mistake(_step(hidden=lambda h: h), "The loss is not that of the lecture's two-layer net "
                                           "f = W2·max(0, W1·x + b1) + b2: without the max(0, ·) (ReLU) the two layers "
                                           "collapse into one linear model."),
        Mistake(_step(hidden=lambda h: h.sigmoid()), "The hidden layer is max(0, ·), a ReLU, not a sigmoid: the "
                                                     "loss is that of f = W2·max(0, W1·x + b1) + b2."),
        Mistake(_step(updated=(0, 2, 3)), "b1 did not change: every parameter, the biases too, takes a step."),
        Mistake(_step(updated=(0, 1, 2)), "b2 did not change: every parameter, the biases too, takes a step."),
    ),
    hints=(
        ("the returned loss", "Forward: the hidden layer is the ReLU of x·W1 + b1, the logits are hidden·W2 + b2, "
                              "and the loss is cross_entropy(logits, y)."),
        "Leaves accumulate gradients: clear every parameter's gradient before loss.backward().",
        "Check it in the notebook: called 300 times at lr 0.5 on the moons, your step's returned loss should fall "
        "below 0.1. A loss that rises goes uphill; one that stays put never changed the parameters' own data.",
    ),
    imports="from backprop_course import Tensor\nfrom backprop_course.nn import cross_entropy",
    time_limit=30.0,
)
