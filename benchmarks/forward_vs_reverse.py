"""Forward mode against reverse mode, as the numbers of inputs and outputs grow.

For f: R^n -> R^m, jacrev needs m backward passes and jacfwd n forward passes,
so their ratio should follow m/n. Also: one true-forward jvp against the
double-vjp trick (what jvp was before it had tangent rules), and hessian
(forward over reverse) against the double-vjp hessian and reverse over reverse.
All figures are ratios of timings in this process (best of several runs).
"""

import os
import timeit
from unittest import mock

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # a shared 2-core machine: keep BLAS from competing with itself

import numpy as np

from backprop_course import Tensor
from backprop_course import func as F


def ratio(slow, fast, repeat=7):
    """time(slow()) / time(fast()): the best of `repeat` interleaved runs of each, so drift hits both."""
    number = max(1, int(0.05 / max(timeit.timeit(fast, number=1), 1e-6)))
    a, b = [], []
    for _ in range(repeat):
        a.append(timeit.timeit(slow, number=number))
        b.append(timeit.timeit(fast, number=number))
    return min(a) / min(b)


def layer(n, m, seed=0):
    """f(x) = tanh(A x) * 2 + exp(A x / 4): R^n -> R^m."""
    A = Tensor(np.random.default_rng(seed).standard_normal((m, n)) / np.sqrt(n))

    def f(x):
        z = A @ x
        return z.tanh() * 2 + (z / 4).exp()

    return f, np.random.default_rng(seed + 1).standard_normal(n)


def _total(f):
    return lambda x: f(x).sum()


def double_vjp():
    """Make jvp/jacfwd take the double-vjp path, as before forward mode had tangent rules."""
    return mock.patch.object(F, "_forward", lambda call, tangents: None)


def old_jvp(f, x, t):
    with double_vjp():
        return F.jvp(f, (x,), (t,))


def old_hessian(g, x):
    with double_vjp():
        return F.hessian(g)(x)


def main():
    print("jacfwd / jacrev time for f: R^n -> R^m (forward wins below 1; theory: n/m)")
    print(f"{'n':>5} {'m':>5} {'fwd/rev':>9} {'n/m':>7}")
    for n, m in [(4, 64), (8, 32), (16, 16), (32, 8), (64, 4)]:
        f, x = layer(n, m)
        fwd, rev = F.jacfwd(f), F.jacrev(f)
        print(f"{n:>5} {m:>5} {ratio(lambda: fwd(x), lambda: rev(x)):>9.2f} {n / m:>7.2f}")  # noqa: B023

    print("\none jvp: double-vjp trick / true forward mode (above 1: forward mode is faster)")
    for n in (16, 256, 1024):
        f, x = layer(n, n)
        t = np.ones(n)
        print(f"  n = m = {n:>5}: {ratio(lambda: old_jvp(f, x, t), lambda: F.jvp(f, (x,), (t,))):.2f}x")  # noqa: B023

    print("\nhessian of a scalar g(x) = sum(f(x)): time / forward-over-reverse hessian")
    for n in (4, 16, 48):
        f, x = layer(n, n)
        g = _total(f)
        new, revrev = F.hessian(g), F.jacrev(F.jacrev(g))
        before = ratio(lambda: old_hessian(g, x), lambda: new(x), repeat=3)  # noqa: B023
        print(f"  n = {n:>3}: before (double-vjp jacfwd of jacrev) {before:.2f}x, "
              f"reverse over reverse {ratio(lambda: revrev(x), lambda: new(x), repeat=3):.2f}x")  # noqa: B023


if __name__ == "__main__":
    main()
