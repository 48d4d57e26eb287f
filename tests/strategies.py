"""Hypothesis strategies and numeric helpers shared by the engine tests."""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop_course import Tensor, Value

# Small shapes and few examples keep every property file well under a minute on two cores.
FAST = settings(max_examples=30, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
nonempty_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def floats(low=-3.0, high=3.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape, low=-3.0, high=3.0):
    """float64 arrays of `shape` with moderate values (central differences stay accurate)."""
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def spread_arrays(shape, low=-3.0, high=3.0):
    """Arrays of distinct, evenly spread entries in random order, none near 0.

    No ties for max or maximum and no kink for relu within a finite-difference step.
    """
    n = int(np.prod(shape))
    step = (high - low) / n
    return st.permutations(range(n)).map(
        lambda order: (low + (np.array(order, dtype=np.float64) + 0.3) * step).reshape(shape))


@st.composite
def broadcastable_pair(draw, min_dims=0):
    """Two shapes that broadcast together, each possibly missing or stretching dimensions."""
    base = draw(hnp.array_shapes(min_dims=max(min_dims, 1), max_dims=3, min_side=1, max_side=3))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, base_shape=base, min_side=1, max_side=3,
                                                    min_dims=min_dims))
    return shapes.input_shapes


def leaf(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)


def numeric_grad(f, arrays, eps=1e-6):
    """Central differences of the scalar function f(*arrays), in float64, for every array."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            shifted = [b.copy() for b in arrays]
            shifted[i][idx] = a[idx] + eps
            plus = f(*shifted)
            shifted[i][idx] = a[idx] - eps
            g[idx] = (plus - f(*shifted)) / (2 * eps)
        grads.append(g)
    return grads


def lecture_f(x=-2.0, y=5.0, z=-4.0):
    """The lecture's f = (x + y)·z with q = x + y, after backward (the graph pictures draw it)."""
    x, y, z = Value(x, "x"), Value(y, "y"), Value(z, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return f
