"""Scalar engine vs micrograd on micrograd's own demo step.

MLP(2, [16, 16, 1]) on 100 moons points, SVM hinge loss plus L2, forward +
backward (+ the SGD update), as in micrograd's demo notebook. Both engines run
in one process on identical weights, interleaved, timed as CPU time (the
machine may be shared); the script checks that the first step's gradients
agree and prints three ratios:

- the step with the garbage collector on (target: >= 12x faster than micrograd),
- the step with it off (target: faster than micrograd),
- bytes per graph node after the forward pass (target: <= 160 B).

micrograd comes from the `bench` extra (pip install -e ".[bench]"); without it,
`micrograd_style.py` (a stand-in written in micrograd's style) is the baseline.
"""

import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from backprop_course import nn
from backprop_course.data import make_moons

try:
    from micrograd import nn as mg_nn

    BASELINE = "micrograd"
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).parent))
    import micrograd_style as mg_nn

    BASELINE = "micrograd-style stand-in (micrograd not installed)"


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
        t0 = time.process_time()
        train_step(model, X, y)
        times.append(time.process_time() - t0)
    return times


def bytes_per_node(model, X, y):
    """Memory the forward graph holds, per node (its float data included; the parameters excluded)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = loss_of(model, X, y)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes, stack = set(), [loss]
    while stack:
        node = stack.pop()
        if id(node) not in nodes:
            nodes.add(id(node))
            stack.extend(node._prev)
    return held / (len(nodes) - len(model.parameters()))


def timed(X, y, ours, theirs, rounds, steps):
    t_ours, t_theirs = [], []
    for _ in range(rounds):
        t_theirs += step_times(theirs, X, y, steps)
        t_ours += step_times(ours, X, y, steps)
    return statistics.median(t_theirs), statistics.median(t_ours)


def main(rounds=3, steps=3):
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
    print(f"baseline: {BASELINE}; CPU time, median of {rounds * steps} steps each")
    mg, us = timed(X, y, ours, theirs, rounds, steps)
    print(f"GC on:  baseline {mg * 1e3:7.1f} ms/step, backprop_course {us * 1e3:7.1f} ms/step: "
          f"{mg / us:5.2f}x faster  (target >= 12x)")
    gc.disable()
    try:
        mg0, us0 = timed(X, y, ours, theirs, rounds, steps)
    finally:
        gc.enable()
    print(f"GC off: baseline {mg0 * 1e3:7.1f} ms/step, backprop_course {us0 * 1e3:7.1f} ms/step: "
          f"{mg0 / us0:5.2f}x faster  (target > 1x)")
    b_mg, b_us = bytes_per_node(theirs, X, y), bytes_per_node(ours, X, y)
    print(f"memory: baseline {b_mg:5.0f} B/node, backprop_course {b_us:5.0f} B/node  (target <= 160 B)")


if __name__ == "__main__":
    main()
