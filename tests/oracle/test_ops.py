"""Every op of the translation table against torch: values, gradients and second order.

On hypothesis inputs (0-d, size 1, empty, broadcast; float32 and float64, mixed) and on named special
inputs (zeros, ties, tiny, huge, inf, nan, empty, 0-d).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from .declared import EXAMPLES, avoided, case  # noqa: E402
from .harness import run_both  # noqa: E402
from .ops_table import OPS, SPECIALS, SPECIALS32  # noqa: E402

DTYPES = (np.float64, np.float32)


def _elements(domain):
    if domain == "positive":
        return st.floats(0.1, 3.0)
    if domain == "nonzero":
        return st.tuples(st.sampled_from([-1.0, 1.0]), st.floats(0.1, 3.0)).map(lambda p: p[0] * p[1])
    return st.floats(-3.0, 3.0)


@st.composite
def _shapes(draw, op):
    low, dims = (1 if op.nonempty else 0), dict(min_dims=op.min_dims, max_dims=op.max_dims)
    if op.shapes == "one":
        return [draw(hnp.array_shapes(**dims, min_side=low, max_side=3))]
    if op.shapes == "same":
        return [draw(hnp.array_shapes(**dims, min_side=low, max_side=3))] * 2
    if op.shapes == "broadcast":
        return list(draw(hnp.mutually_broadcastable_shapes(num_shapes=2, **dims, min_side=low, max_side=3))
                    .input_shapes)
    b, m, n, k = (draw(st.integers(low, 3)) for _ in range(4))
    return list(draw(st.sampled_from([((n,), (n,)), ((m, n), (n,)), ((n,), (n, k)), ((m, n), (n, k)),
                                      ((b, m, n), (n, k)), ((b, m, n), (1, n, k)), ((m, n), (b, n, k))])))


@st.composite
def inputs(draw, op):
    """The op's input arrays, each float64 or float32 (a mix exercises the dtype promotion)."""
    arrays = []
    for shape in draw(_shapes(op)):
        values = draw(hnp.arrays(np.float64, shape, elements=_elements(op.domain)))
        arrays.append(values.astype(draw(st.sampled_from(DTYPES))))
    return arrays


@pytest.mark.parametrize("op", [case(op.name, op) for op in OPS])
def test_op_matches_torch(op):
    @EXAMPLES
    @given(inputs(op), st.integers(0, 2**16))
    def check(arrays, seed):
        assume(not avoided(op.name, arrays))
        run_both(op.ours, op.reference, arrays, seed, f"{op.name} on shapes {[a.shape for a in arrays]} "
                                                      f"{[a.dtype.name for a in arrays]}")

    check()


def _special_cases():
    for op in OPS:
        for name, values in SPECIALS.items():
            if values.ndim < op.min_dims and name == "0-d":
                continue  # (an empty input meets every op: where torch refuses it, the course must too)
            for dtype in DTYPES:
                array = SPECIALS32.get(name, values) if dtype == np.float32 else values
                array = array.reshape((1,) * (op.min_dims - array.ndim) + array.shape).astype(dtype)
                if op.shapes == "matmul" and array.ndim == 0:
                    continue
                arrays = [array] * op.arity
                yield case(op.name, op, arrays, special=f"{name}/{np.dtype(dtype).name}", arrays=arrays)


@pytest.mark.parametrize("op, arrays", list(_special_cases()))
def test_op_matches_torch_at_special_inputs(op, arrays):
    run_both(op.ours, op.reference, arrays, 0, f"{op.name} at {arrays[0]!r}")
