"""Notebook 12's debugging challenge: a network that will not learn. Name the cause, then return a start that learns.

The network is notebook 07's (logits = max(0, X @ W1 + b1) @ W2 + b2, mean softmax cross-entropy) on the 200
moons, trained by plain gradient descent with a backward pass that is right. The checks judge the learner's
answer by its own numbers: a diagnosis against the declared list of causes, a fix by training it.
"""

from __future__ import annotations

import numpy as np

from ..data import make_moons
from .catalog.n07a_mlp_backward import mlp_backward
from .checking import Failure, Seen, fmt
from .registry import Case, Exercise, Mistake, register

HIDDEN, LR, STEPS, TARGET = 16, 0.5, 300, 0.15

CAUSES = ("a bug in the backward pass", "a learning rate too large", "vanishing gradients through saturated units",
          "dead ReLUs", "a missing /N")


def moons():
    """The capstone's data: 200 moons points with noise 0.2 (seed 0)."""
    return make_moons(n=200, noise=0.2, seed=0)


def fresh_net(seed=1):
    """[W1 (2, 16), b1 (16,), W2 (16, 2), b2 (2,)]: the lecture's net 2 -> 16 -> 2, seeded (biases 0)."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1.0, (2, HIDDEN)), np.zeros(HIDDEN), rng.normal(0, 0.25, (HIDDEN, 2)), np.zeros(2)]


def stuck_net(seed=1):
    """[W1, b1, W2, b2] as fresh_net(seed) gives them, but a start from which the network will not learn."""
    W1, _, W2, b2 = fresh_net(seed)
    return [W1, np.full(HIDDEN, -5.0), W2, b2]


def loss(params, X, y):
    """The mean softmax cross-entropy of the network on (X, y)."""
    W1, b1, W2, b2 = params
    logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


def train(params, X, y, backward=mlp_backward, lr=LR, steps=STEPS):
    """(losses, params): `steps` steps of gradient descent, each with the gradients `backward` returns."""
    losses = []
    for _ in range(steps):
        losses.append(loss(params, X, y))
        dW1, db1, dW2, db2 = backward(X, y, *params)
        params = [p - lr * g for p, g in zip(params, (dW1, db1, dW2, db2), strict=True)]
    return losses, params


def dead_units(params, X):
    """How many hidden units are 0 (pre-activation ≤ 0) for every point of X: they pass no gradient at all."""
    W1, b1 = params[0], params[1]
    return int((X @ W1 + b1 <= 0).all(axis=0).sum())


# Exercise 1: the diagnosis -------------------------------------------------------------------------------------
def diagnosis():
    """Return the cause, one of backprop_course.exercises.wont_learn.CAUSES, why the stuck network
    does not learn."""
    return "dead ReLUs"


WRONG_CAUSE = {
    "a bug in the backward pass":
        "Your checker agrees with this backward pass on the stuck network itself: every relative error is far "
        "below 1e-6, so the gradients are right. The trouble is what they are: look at their sizes.",
    "a learning rate too large":
        "A learning rate that is too large makes the loss jump about or blow up. This loss does not move in the "
        "fourth decimal, and the weights' gradients are exactly 0: no learning rate moves a parameter along a "
        "zero gradient.",
    "vanishing gradients through saturated units":
        "Vanishing gradients are small and shrink layer by layer, through saturated sigmoids or tanhs (σ′ ≤ 0.25). "
        "This net has one ReLU layer, and its weight gradients are not small: they are exactly 0.",
    "a missing /N":
        "A missing /N makes every gradient N times too LARGE, and training too jumpy. These gradients are exactly 0.",
}


def _diagnosis_run(answer, aspect):
    got = answer()
    if not isinstance(got, str) or got not in CAUSES:
        raise Failure(f"Return one of the declared causes, as a string: {'; '.join(map(repr, CAUSES))}.",
                      got=repr(got)[:80])
    if got in WRONG_CAUSE:
        raise Failure(WRONG_CAUSE[got])
    # in the last case, the cause as one 0/1 per declared cause, which the grader compares with the reference's
    return [float(cause == got) for cause in CAUSES] if aspect == "sizes" else None


register(Exercise(
    id="diagnosis",
    title="Why the network will not learn",
    notebook="12",
    section="14",
    points=2,
    prompt="Name the cause of the stuck training, one of wont_learn.CAUSES, from what your checker and the "
           "gradient norms show.",
    reference=diagnosis,
    cases=lambda: [Case("the answer is one of the declared causes", ("declared",)),
                   Case("it agrees with the checker (the gradients are right)", ("checker",)),
                   Case("it agrees with the gradients' sizes and the hidden units", ("sizes",))],
    outputs=("the cause",),
    probe=_diagnosis_run,
    mistakes=tuple(Mistake(lambda cause=cause: cause, message) for cause, message in WRONG_CAUSE.items()),
    hints=(
        "First rule out a bug: run your checker on the stuck network. Then print the norm of each gradient.",
        "Which gradients are exactly 0? dW1 and db1 reach the loss only through the hidden units h = max(0, z).",
        "Count the hidden units that are 0 for all 200 points: if the count is 16 of 16, no gradient gets past them.",
    ),
))


# Exercise 2: the fix -------------------------------------------------------------------------------------------
STILL_DEAD = ("All 16 hidden units are still 0 for every one of the 200 points (z = X·W1 + b1 ≤ 0 everywhere), so no "
              "gradient reaches W1 or b1, and W2 sees only zeros: the loss stays at log 2 = 0.693. The bias holds "
              "every unit below 0: where should a ReLU's bias start?")
ALL_ZERO = ("With W1 = 0 every unit computes the same z = b1 for every point: nothing tells the units apart, and "
            "with b1 ≤ 0 nothing passes the ReLU at all. Keep W1's random values: they break the symmetry.")
ALWAYS_ON = ("Every hidden unit is now positive for all 200 points: the ReLU never bends, so the network is a linear "
             "model (section 1), whose boundary is a straight line that cannot separate the moons. Start the units "
             "with some points on each side of 0.")


PARAMS = ("W1", "b1", "W2", "b2")


def revive(params):
    """Return new parameters [W1, b1, W2, b2], of the same shapes as `params` (the stuck
    network's), from which gradient descent learns. Do not change `params` itself."""
    W1, b1, W2, b2 = params
    return [W1.copy(), np.zeros_like(b1), W2.copy(), b2.copy()]


def _revive_run(answer, seed):
    X, y = moons()
    stuck = stuck_net(seed)
    out = answer([p.copy() for p in stuck])
    if not (isinstance(out, (list, tuple)) and len(out) == 4):
        raise Failure("Return a list of the four parameters [W1, b1, W2, b2].", got=type(out).__name__)
    return Seen(zip(PARAMS, out, strict=True))  # plain numbers, which the grader judges itself


def learns_from(seen, seed):
    """The diagnosis: raise a Failure unless the learner's start is of the right shapes and training on the moons
    from it, for the stuck network of this seed, brings the loss below TARGET."""
    out = [seen[name] for name in PARAMS]
    X, y = moons()
    stuck = stuck_net(seed)
    for name, got, want in zip(("W1", "b1", "W2", "b2"), out, stuck, strict=True):
        if got.shape != want.shape:
            raise Failure(f"{name} must keep its shape: the network is the same, only its start changes.",
                          expected=f"{name}: shape {want.shape}", got=f"{name}: shape {got.shape}")
    if not np.all(out[0] == 0) and dead_units(out, X) == HIDDEN:
        raise Failure(STILL_DEAD)
    if np.all(out[0] == 0):
        raise Failure(ALL_ZERO)
    if (X @ out[0] + out[1] > 0).all():
        raise Failure(ALWAYS_ON)
    final = loss(train(out, X, y)[1], X, y)
    if not final < TARGET:
        raise Failure(f"After {STEPS} steps at lr {LR} the loss is {fmt(final)}, still above {TARGET}; "
                      f"{dead_units(out, X)} of {HIDDEN} hidden units start dead for every point.",
                      expected=f"loss < {TARGET}", got=f"loss {fmt(final)}")
    return None


register(Exercise(
    id="revive",
    title="A start from which the network learns",
    notebook="12",
    section="14",
    points=2,
    prompt="Return a start [W1, b1, W2, b2] for the stuck network from which gradient descent learns: the check "
           f"trains it {STEPS} steps at lr {LR} with the course's mlp_backward, and the loss must fall below {TARGET}.",
    reference=revive,
    cases=lambda: [Case(f"the stuck network (seed 1): same shapes, live units, {STEPS} steps bring the loss below "
                        f"{TARGET}", (1,)),
                   Case("the same from the stuck network with seed 2", (2,)),
                   Case("the same from the stuck network with seed 3", (3,))],
    outputs=(),  # many starts learn: the diagnosis decides
    probe=_revive_run,
    diagnoses=(learns_from,),
    mistakes=(
        Mistake(lambda params: params, STILL_DEAD),
        Mistake(lambda params: [params[0], params[1], params[2] * 10, params[3]], STILL_DEAD),
        Mistake(lambda params: [np.zeros_like(params[0]), np.zeros_like(params[1]), params[2], params[3]], ALL_ZERO),
        Mistake(lambda params: [params[0], np.full_like(params[1], 5.0), params[2], params[3]], ALWAYS_ON),
    ),
    hints=(
        "The backward pass is right, so the fix is in the start: which parameter keeps every z below 0?",
        "A unit passes a gradient only for points where its z = x·w + b is above 0. Some points on each side of 0 "
        "let a unit bend the boundary.",
        f"Check it: after your fix, the dead-unit count should be 0 of {HIDDEN}, and {STEPS} steps at lr {LR} should "
        "bring the loss from about 0.83 to about 0.10.",
    ),
    imports="import numpy as np",
))
