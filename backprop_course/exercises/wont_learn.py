"""Notebook 12's network that will not learn: its data, its starts, its loss, its training and the causes to choose
from, shared by the notebook and its two exercises (naming the cause, returning a start that learns).

The network is notebook 07's (logits = max(0, X @ W1 + b1) @ W2 + b2, mean softmax cross-entropy) on the 200
moons, trained by plain gradient descent with a backward pass that is right.
"""

from __future__ import annotations

import numpy as np

from ..data import make_moons
from .catalog.n07a_mlp_backward import mlp_backward

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
