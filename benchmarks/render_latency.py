"""Render latency of the course's graph pictures (prints medians; no pass/fail).

Run: python benchmarks/render_latency.py
- 10-node lecture graph: compute + backward + draw + render, as graph_explorer does per slider move
  (the budget is 30 ms median in the kernel);
- a 500-node chain drawn in full (max_nodes raised);
- micrograd's demo graph (an MLP(2, [16, 16, 1]) over 100 points, hinge loss + L2, ~65k Values),
  collapsed to the default 300 drawn nodes (budget: under 5 s).
"""

from __future__ import annotations

import random
import statistics
import time

from backprop_course import Value, topological_order
from backprop_course.viz import draw_graph, find_renderer, render_svg
from backprop_course.widgets import graph_explorer


def lecture_graph():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    return f


def chain(n):
    v = Value(0.5, "x")
    for i in range(n):
        v = v * 1.01 if i % 2 else v + 0.1
    v.backward()
    return v


def micrograd_demo(seed=0, points=100, alpha=1e-4):
    """The loss of micrograd's demo notebook, built from the course's Values."""
    rng = random.Random(seed)
    sizes = [2, 16, 16, 1]
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
              for n_in, n_out in zip(sizes, sizes[1:], strict=False)]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    losses = []
    for _ in range(points):
        h = [Value(rng.uniform(-2, 2)), Value(rng.uniform(-2, 2))]
        for k, layer in enumerate(layers):
            h = [sum((wi * xi for wi, xi in zip(w, h, strict=True)), b) for w, b in layer]
            if k < len(layers) - 1:
                h = [v.relu() for v in h]
        label = rng.choice((-1.0, 1.0))
        losses.append((1 + -label * h[0]).relu())
    data_loss = sum(losses) * (1.0 / points)
    reg_loss = alpha * sum(p * p for p in params)
    loss = data_loss + reg_loss
    loss.backward()
    return loss


def median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main():
    print(f"renderer: {find_renderer()}")
    explorer = graph_explorer(lambda x, y, z: (x + y) * z, x=(-5, 5, -2), y=(-5, 5, 5), z=(-5, 5, -4))
    slider = explorer.sliders["x"]

    def move():
        slider.value = -2.0 if slider.value != -2.0 else -1.0

    ms = median_ms(move, 50)
    print(f"10-node lecture graph, slider move (forward+backward+draw+render): {ms:.1f} ms median "
          f"({ms / 30:.2f} of the 30 ms budget)")
    f = lecture_graph()
    print(f"10-node lecture graph, draw+render only: {median_ms(lambda: render_svg(draw_graph(f)), 50):.1f} ms median")
    c = chain(166)  # 499 Values (166 ops, each with a constant) and 166 op circles
    print(f"500-node chain, drawn in full: {median_ms(lambda: render_svg(draw_graph(c, max_nodes=1000)), 5):.0f} ms")
    start = time.perf_counter()
    loss = micrograd_demo()
    built = time.perf_counter() - start
    n = len(topological_order(loss))
    ms = median_ms(lambda: render_svg(draw_graph(loss)), 3)
    print(f"micrograd demo graph ({n} Values, built+backward in {built:.1f} s), collapsed to 300: {ms:.0f} ms "
          f"({ms / 5000:.2f} of the 5 s budget)")


if __name__ == "__main__":
    main()
