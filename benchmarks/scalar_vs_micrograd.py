"""Scalar engine vs micrograd on micrograd's own demo step.

MLP(2, [16, 16, 1]) on 100 moons points, SVM hinge loss plus L2, forward +
backward (+ the SGD update), as in micrograd's demo notebook. Both engines run
in one process on identical weights, a few training steps each, interleaved;
the script checks that the first step's gradients agree and prints the ratio.
Needs the `bench` extra: pip install -e ".[bench]".
"""

import gc
import statistics
import time

import numpy as np

from backprop_course import nn
from backprop_course.data import make_moons

try:
    from micrograd import nn as mg_nn
except ImportError:  # pragma: no cover
    raise SystemExit("micrograd is not installed: pip install -e '.[bench]'") from None


def loss_of(model, X, y):
    """micrograd's demo loss: mean hinge loss + 1e-4 * L2."""
    scores = [model(list(map(float, xi))) for xi in X]
    losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(model, X, y, lr=0.01):
    loss = loss_of(model, X, y)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def twin_models():
    ours = nn.MLP(2, [16, 16, 1], rng=1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        b.data = a.data
    return ours, theirs


def step_times(model, X, y, steps):
    gc.collect()  # start clean, so neither engine pays for the other's garbage
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        train_step(model, X, y)
        times.append(time.perf_counter() - t0)
    return times


def main(rounds=4, steps=5):
    X, y = make_moons(100, noise=0.1, seed=1)
    y = 2 * y - 1
    ours, theirs = twin_models()
    a, b = loss_of(ours, X, y), loss_of(theirs, X, y)
    a.backward()
    b.backward()
    assert a.data == b.data, (a.data, b.data)
    assert np.allclose([p.grad for p in ours.parameters()], [p.grad for p in theirs.parameters()],
                       rtol=1e-12, atol=1e-15), "gradients differ"
    del a, b
    t_ours, t_theirs = [], []
    for _ in range(rounds):
        t_theirs += step_times(theirs, X, y, steps)
        t_ours += step_times(ours, X, y, steps)
    mg, us = statistics.median(t_theirs), statistics.median(t_ours)
    print(f"micrograd       {mg * 1e3:8.1f} ms/step (median of {len(t_theirs)})")
    print(f"backprop_course {us * 1e3:8.1f} ms/step (median of {len(t_ours)})")
    print(f"speed-up        {mg / us:8.2f}x   (target >= 8x); first-step gradients identical")
    gc.disable()
    mg0, us0 = statistics.median(step_times(theirs, X, y, steps)), statistics.median(step_times(ours, X, y, steps))
    gc.enable()
    print(f"with the garbage collector off: micrograd {mg0 * 1e3:.1f} ms, backprop_course {us0 * 1e3:.1f} ms "
          f"({mg0 / us0:.2f}x)")


if __name__ == "__main__":
    main()
