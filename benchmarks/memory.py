"""Peak memory of the backward of y = x @ W, x (64, 4096), W (4096, 4096), float32.

The arrays that must exist are x, W, y, the upstream dL/dy and the gradients
dL/dx and dL/dW. The engine's peak (traced by tracemalloc, which sees numpy's
allocations) is reported as a multiple of their total; the target is <= 2x.
"""

import tracemalloc

import numpy as np

from backprop_course import Tensor


def main():
    tracemalloc.start()
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((64, 4096), dtype=np.float32), requires_grad=True)
    W = Tensor(rng.standard_normal((4096, 4096), dtype=np.float32), requires_grad=True)
    upstream = np.ones((64, 4096), np.float32)
    y = x @ W
    y.backward(upstream)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    needed = sum(a.nbytes for a in (x.data, W.data, y.data, upstream, x.grad.data, W.grad.data))
    mib = 2**20
    print(f"arrays that must exist: {needed / mib:.1f} MiB")
    print(f"traced peak:            {peak / mib:.1f} MiB")
    print(f"peak / needed = {peak / needed:.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
