"""Tensor engine vs hand-written numpy (the floor) and, when installed, PyTorch CPU.

One training step (forward, softmax cross-entropy, backward) of a ReLU MLP,
float32, on two sizes: 784-256-256-10 with batch 64, and a tiny 2-16-16-2 with
batch 16 where per-op overhead dominates. The parameters are made once, as in
training; each step wraps the batch, clears the gradients and runs forward and
backward. Prints CPU-time ratios in one process (the machine may be shared),
not seconds, as the figures to compare; gradients are checked to agree first.
Targets: the big MLP within 1.15x of flat numpy, the tiny one within 1.0x of torch.
"""

import os

# One thread everywhere: CPU time then measures work, not the spinning of idle BLAS threads on a shared machine.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from backprop_course import Tensor  # noqa: E402
from backprop_course.nn import cross_entropy  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    torch = None


def init(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (a, b)).astype(np.float32) * np.float32(np.sqrt(6 / a)),
             np.zeros(b, np.float32)) for a, b in zip(sizes, sizes[1:], strict=False)]


def numpy_step(params, x, t):
    """Forward and backward written out by hand: the fastest this can be in numpy."""
    acts, h = [x], x
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = np.maximum(h, 0)
        acts.append(h)
    z = h - h.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(t)
    loss = -np.log(p[np.arange(n), t]).mean()
    g = p
    g[np.arange(n), t] -= 1
    g /= n
    grads = []
    for i in range(len(params) - 1, -1, -1):
        W, _ = params[i]
        grads.append((acts[i].T @ g, g.sum(axis=0)))
        if i:
            g = (g @ W.T) * (acts[i] > 0)
    return loss, grads[::-1]


def engine_params(params):
    return [(Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)) for W, b in params]


def torch_params(params):
    return [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]


def engine_step(ps, x, t):
    for W, b in ps:
        W.grad = b.grad = None
    h = Tensor(x)
    for i, (W, b) in enumerate(ps):
        h = h @ W + b
        if i < len(ps) - 1:
            h = h.relu()
    loss = cross_entropy(h, t)
    loss.backward()
    return loss.item(), [(W.grad.data, b.grad.data) for W, b in ps]


def torch_step(ps, x, t):
    for W, b in ps:
        W.grad = b.grad = None
    h = torch.tensor(x)
    for i, (W, b) in enumerate(ps):
        h = h @ W + b
        if i < len(ps) - 1:
            h = h.relu()
    loss = torch.nn.functional.cross_entropy(h, torch.from_numpy(t))
    loss.backward()
    return loss.item(), [(W.grad.numpy(), b.grad.numpy()) for W, b in ps]


def median_time(step, args, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        step(*args)
        times.append(time.process_time() - t0)
    return statistics.median(times)


def compare(sizes, batch, repeats, target):
    """Print the engine's CPU-time ratios to numpy and torch; `target` is ("numpy" or "torch", its bound)."""
    rng = np.random.default_rng(1)
    params = init(sizes)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    t = rng.integers(0, sizes[-1], batch)
    steps = {"numpy": (numpy_step, params), "engine": (engine_step, engine_params(params))}
    if torch is not None:
        torch.set_num_threads(1)  # numpy's step is single-threaded at these sizes too
        steps["torch"] = (torch_step, torch_params(params))
    ref_loss, ref_grads = numpy_step(params, x, t)
    for name, (step, ps) in steps.items():
        loss, grads = step(ps, x, t)
        assert np.isclose(loss, ref_loss, rtol=1e-4), (name, loss, ref_loss)
        for (gW, gb), (rW, rb) in zip(grads, ref_grads, strict=True):
            assert np.allclose(gW, rW, atol=1e-5) and np.allclose(gb, rb, atol=1e-5), name
    # Interleave rounds so machine noise hits every contender alike.
    times = {name: [] for name in steps}
    for _ in range(5):
        for name, (step, ps) in steps.items():
            times[name].append(median_time(step, (ps, x, t), repeats))
    med = {name: statistics.median(ts) for name, ts in times.items()}
    label = "-".join(map(str, sizes))
    print(f"{label}, batch {batch}: numpy {med['numpy'] * 1e3:.3f} ms/step")
    goal = {target[0]: f"target <= {target[1]}; "}
    print(f"  engine / numpy = {med['engine'] / med['numpy']:.2f}  ({goal.get('numpy', '')}the floor)")
    if "torch" in med:
        ratio = med["engine"] / med["torch"]
        print(f"  engine / torch = {ratio:.2f}  ({goal.get('torch', '')}torch {med['torch'] * 1e3:.3f} ms/step)")
    else:
        print("  torch not installed: pip install torch==2.13.0 to compare")


def main():
    compare([784, 256, 256, 10], 64, repeats=20, target=("numpy", 1.15))
    compare([2, 16, 16, 2], 16, repeats=200, target=("torch", 1.0))


if __name__ == "__main__":
    main()
