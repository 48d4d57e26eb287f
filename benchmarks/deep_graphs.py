"""Backward through very deep graphs at Python's default recursion limit.

A 1,000,000-op Value chain and a 100,000-op Tensor chain; micrograd's recursive
topological sort, for comparison, fails a few hundred nodes deep.
"""

import sys
import time

import numpy as np

from backprop_course import Tensor, Value


def value_chain(n):
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + 1e-6
    return x, y


def tensor_chain(n):
    x = Tensor(np.ones(4), requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    return x, y.sum()


def micrograd_limit():
    try:
        from micrograd.engine import Value as MGValue
    except ImportError:
        return "micrograd not installed"
    for depth in (250, 500, 1000, 2000):
        y = MGValue(1.0)
        for _ in range(depth):
            y = y + 1.0
        try:
            y.backward()
        except RecursionError:
            return f"RecursionError at depth {depth}"
    return "no failure up to depth 2000"


def main():
    print(f"recursion limit: {sys.getrecursionlimit()}")
    for name, build, n in (("Value", value_chain, 1_000_000), ("Tensor", tensor_chain, 100_000)):
        t0 = time.perf_counter()
        x, y = build(n)
        t1 = time.perf_counter()
        y.backward()
        t2 = time.perf_counter()
        grad = x.grad if name == "Value" else x.grad.data[0]
        assert grad == 1.0, grad
        print(f"{name:6s} chain of {n:>9,} ops: build {t1 - t0:5.2f} s, backward {t2 - t1:5.2f} s, grad {grad}")
    print(f"micrograd: {micrograd_limit()}")


if __name__ == "__main__":
    main()
