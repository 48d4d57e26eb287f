"""Every Tensor op against NumPy: forward values, and gradients against central differences.

The numeric gradient differentiates the plain NumPy reference, so the engine's
analytic backward is checked against an independent computation, in float64.
Every check also runs the second order: the backward recorded with
create_graph=True, differentiated again, against central differences of the
(already checked) first derivative. Each elementwise op is also checked
through a 0-d intermediate, where NumPy hands back scalars instead of arrays.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import FAST, arrays, broadcastable_pair, leaf, nonempty_shapes, numeric_grad, shapes, spread_arrays

from backprop_course import Tensor, cat, stack


def check(op, reference, *inputs):
    """op(*Tensors) must equal reference(*arrays), and its gradients central differences."""
    leaves = [leaf(a) for a in inputs]
    out = op(*leaves)
    expected = reference(*inputs)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(len(inputs)).standard_normal(out.shape)  # a random upstream dL/dout
    (out * weights).sum().backward()
    numeric = numeric_grad(lambda *xs: float(np.sum(reference(*xs) * weights)), inputs)
    for x, num in zip(leaves, numeric, strict=True):
        assert x.grad is not None and x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.data, num, rtol=1e-4, atol=1e-6)
    check_second_order(op, inputs, weights)


def first_order(op, arrays, weights, create_graph=False):
    """The engine's gradient of sum(op(*arrays) * weights) for each input (zeros where none arrives)."""
    leaves = [leaf(a) for a in arrays]
    (op(*leaves) * weights).sum().backward(create_graph=create_graph)
    if create_graph:
        return leaves, [x.grad for x in leaves]
    return [np.zeros(np.shape(a)) if x.grad is None else x.grad.data for a, x in zip(arrays, leaves, strict=True)]


def check_second_order(op, inputs, weights):
    """d/dx of <grad f(x), v> from double backward, against central differences of the first derivative."""
    directions = [np.random.default_rng(7 + i).standard_normal(np.shape(a)) for i, a in enumerate(inputs)]
    leaves, grads = first_order(op, inputs, weights, create_graph=True)
    for x in leaves:
        x.grad = None
    s = sum((g * v).sum() for g, v in zip(grads, directions, strict=True) if g is not None)
    if getattr(s, "requires_grad", False):
        s.backward()
    analytic = [np.zeros(np.shape(a)) if x.grad is None else x.grad.data for a, x in zip(inputs, leaves, strict=True)]
    numeric = numeric_grad(lambda *xs: sum(float(np.sum(g * v)) for g, v in zip(
        first_order(op, xs, weights), directions, strict=True)), inputs, eps=1e-5)
    for a, num in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(a, num, rtol=1e-4, atol=1e-5)


# binary ops with broadcasting -------------------------------------------------
BINARY = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
}


@pytest.mark.parametrize("name", BINARY)
@FAST
@given(data=st.data())
def test_binary_broadcasting(name, data):
    sx, sy = data.draw(broadcastable_pair())
    op, ref = BINARY[name]
    check(op, ref, data.draw(arrays(sx)), data.draw(arrays(sy)))


@FAST
@given(data=st.data())
def test_div_broadcasting(data):
    sx, sy = data.draw(broadcastable_pair())
    y = data.draw(arrays(sy, 0.5, 3.0)) * data.draw(st.sampled_from([-1.0, 1.0]))
    check(lambda a, b: a / b, np.divide, data.draw(arrays(sx)), y)


@FAST
@given(data=st.data())
def test_pow_tensor_exponent_broadcasting(data):
    sx, sy = data.draw(broadcastable_pair())
    check(lambda a, b: a**b, np.power, data.draw(arrays(sx, 0.5, 2.0)), data.draw(arrays(sy, -2.0, 2.0)))


@FAST
@given(data=st.data())
def test_maximum_broadcasting(data):
    sx, sy = data.draw(broadcastable_pair())
    # One pool of distinct values split in two: no ties anywhere after broadcasting.
    pool = data.draw(spread_arrays((int(np.prod(sx)) + int(np.prod(sy)),))).ravel()
    x, y = pool[: int(np.prod(sx))].reshape(sx), pool[int(np.prod(sx)):].reshape(sy)
    check(lambda a, b: a.maximum(b), np.maximum, x, y)


@FAST
@given(shape=shapes, data=st.data())
def test_numbers_on_either_side(shape, data):
    c = data.draw(st.floats(0.5, 2.0))
    x = data.draw(arrays(shape, 0.5, 2.0))
    check(lambda a: c - a, lambda a: c - a, x)
    check(lambda a: c / a, lambda a: c / a, x)
    check(lambda a: c**a, lambda a: c**a, x)
    check(lambda a: a**c, lambda a: a**c, x)  # PowConst, real exponent, positive base
    check(lambda a: c * a + c, lambda a: c * a + c, x)


@FAST
@given(shape=shapes, data=st.data())
def test_pow_const_integer_exponent_any_sign(shape, data):
    k = data.draw(st.integers(-2, 3))
    x = data.draw(spread_arrays(shape))  # away from 0, so negative powers are smooth
    check(lambda a: a**k, lambda a: a ** float(k), x)


# unary ops --------------------------------------------------------------------
UNARY = {
    "exp": (lambda t: t.exp(), np.exp, arrays),
    "log": (lambda t: t.log(), np.log, lambda s: arrays(s, 0.2, 3.0)),
    "tanh": (lambda t: t.tanh(), np.tanh, arrays),
    "sigmoid": (lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), arrays),
    "relu": (lambda t: t.relu(), lambda a: np.maximum(a, 0.0), spread_arrays),
    "neg": (lambda t: -t, np.negative, arrays),
    "sin": (lambda t: t.sin(), np.sin, arrays),
    "cos": (lambda t: t.cos(), np.cos, arrays),
    "sqrt": (lambda t: t.sqrt(), np.sqrt, lambda s: arrays(s, 0.2, 3.0)),
    "abs": (lambda t: t.abs(), np.abs, spread_arrays),
    "clamp": (lambda t: t.clamp(-1.2345, 0.789), lambda a: np.clip(a, -1.2345, 0.789), spread_arrays),
    "clone": (lambda t: t.clone(), np.copy, arrays),
}


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(shape=shapes, data=st.data())
def test_unary(name, shape, data):
    op, ref, values = UNARY[name]
    check(op, ref, data.draw(values(shape)))


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(shape=shapes, data=st.data())
def test_unary_through_a_0d_intermediate(name, shape, data):
    """op(x.sum() / n) * x: a 0-d intermediate (a NumPy scalar inside forward) between two broadcasts."""
    op, ref, values = UNARY[name]
    x = data.draw(values(shape))
    n = x.size
    check(lambda t: op(t.sum() / n) * t, lambda a: ref(np.sum(a) / n) * a, x)


# reductions -------------------------------------------------------------------
@st.composite
def shape_and_axis(draw):
    shape = draw(shapes)
    n = len(shape)
    kinds = ["none"] + (["int", "tuple"] if n else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-n, n - 1))
    axes = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
    return shape, tuple(a - n if neg else a for a, neg in zip(axes, signs, strict=True))


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@FAST
@given(sa=shape_and_axis(), keepdims=st.booleans(), data=st.data())
def test_reductions(name, sa, keepdims, data):
    shape, axis = sa
    x = data.draw(spread_arrays(shape))  # distinct entries: max has a unique argmax
    check(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
          lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims), x)


def test_reduction_defaults_reduce_everything():
    x = np.arange(6.0).reshape(2, 3)
    for name in ["sum", "mean", "max"]:
        check(lambda t, name=name: getattr(t, name)(), getattr(np, name), x)


# shape ops --------------------------------------------------------------------
@FAST
@given(shape=shapes, data=st.data())
def test_reshape(shape, data):
    x = data.draw(arrays(shape))
    check(lambda t: t.reshape(-1), lambda a: a.reshape(-1), x)
    check(lambda t: t.reshape(shape[::-1]), lambda a: a.reshape(shape[::-1]), x)
    check(lambda t: t.reshape(*shape[::-1], 1), lambda a: a.reshape(*shape[::-1], 1), x)


@FAST
@given(shape=shapes, data=st.data())
def test_transpose(shape, data):
    x = data.draw(arrays(shape))
    n = len(shape)
    perm = data.draw(st.permutations(range(n)))
    axes = tuple(a - n if data.draw(st.booleans()) else a for a in perm)  # negative axes too
    if n == 2:  # two ints are PyTorch's transpose(dim0, dim1): a swap (transpose(0, 1) is not the identity)
        check(lambda t: t.transpose(*axes), lambda a: np.swapaxes(a, *axes), x)
    else:
        check(lambda t: t.transpose(*axes), lambda a: np.transpose(a, axes), x)
    check(lambda t: t.permute(*axes), lambda a: np.transpose(a, axes), x)
    check(lambda t: t.transpose(axes), lambda a: np.transpose(a, axes), x)
    check(lambda t: t.transpose(), np.transpose, x)
    check(lambda t: t.T, lambda a: a.T, x)


@FAST
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=3), data=st.data())
def test_matrix_transpose(shape, data):
    check(lambda t: t.mT, lambda a: np.swapaxes(a, -1, -2), data.draw(arrays(shape)))


# indexing ---------------------------------------------------------------------
@st.composite
def slices(draw, n):
    start = draw(st.none() | st.integers(-n, n))
    stop = draw(st.none() | st.integers(-n, n))
    step = draw(st.none() | st.sampled_from([-2, -1, 1, 2]))
    return slice(start, stop, step)


@FAST
@given(shape=nonempty_shapes, data=st.data())
def test_basic_slices(shape, data):
    index = tuple(data.draw(slices(n)) for n in shape)
    x = data.draw(arrays(shape))
    assume(x[index].size > 0)
    check(lambda t: t[index], lambda a: a[index], x)


@FAST
@given(shape=nonempty_shapes, data=st.data())
def test_integer_array_index_with_repeats(shape, data):
    n = shape[0]
    rows = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5))
    rows = rows + rows[:1]  # at least one repeat, so the backward must add, not overwrite
    x = data.draw(arrays(shape))
    check(lambda t: t[np.array(rows)], lambda a: a[np.array(rows)], x)
    check(lambda t: t[rows], lambda a: a[rows], x)
    if len(shape) > 1:
        cols = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=len(rows), max_size=len(rows)))
        check(lambda t: t[rows, cols], lambda a: a[rows, cols], x)
        check(lambda t: t[rows, ::-1], lambda a: a[rows, ::-1], x)


@FAST
@given(shape=nonempty_shapes, data=st.data())
def test_integer_and_tensor_index(shape, data):
    i = data.draw(st.integers(-shape[0], shape[0] - 1))
    x = data.draw(arrays(shape))
    check(lambda t: t[i], lambda a: a[i], x)
    check(lambda t: t[Tensor([i, i])], lambda a: a[[i, i]], x)
    check(lambda t: t[..., None], lambda a: a[..., None], x)


# softmax ----------------------------------------------------------------------
def np_log_softmax(a, axis):
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@FAST
@given(shape=nonempty_shapes, data=st.data())
def test_softmax_any_axis(name, shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = data.draw(arrays(shape))
    ref = (lambda a: np.exp(np_log_softmax(a, axis))) if name == "softmax" else (lambda a: np_log_softmax(a, axis))
    check(lambda t: getattr(t, name)(axis=axis), ref, x)


def test_softmax_default_axis_is_last():
    x = np.arange(6.0).reshape(2, 3) / 3
    check(lambda t: t.softmax(), lambda a: np.exp(np_log_softmax(a, -1)), x)
    check(lambda t: t.log_softmax(), lambda a: np_log_softmax(a, -1), x)


# matmul -----------------------------------------------------------------------
@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    bx, by = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3)).input_shapes
    vec_x, vec_y = draw(st.booleans()), draw(st.booleans())
    sx = (k,) if vec_x else bx + (n, k)
    sy = (k,) if vec_y else by + (k, m)
    return sx, sy


@FAST
@given(sxy=matmul_shapes(), data=st.data())
def test_matmul_1d_2d_batched(sxy, data):
    sx, sy = sxy
    check(lambda a, b: a @ b, np.matmul, data.draw(arrays(sx)), data.draw(arrays(sy)))


@FAST
@given(sxy=matmul_shapes(), data=st.data())
def test_matmul_with_array_operand(sxy, data):
    sx, sy = sxy
    x, y = data.draw(arrays(sx)), data.draw(arrays(sy))
    check(lambda a: a @ y, lambda a: a @ y, x)
    check(lambda b: x @ b, lambda b: x @ b, y)


@FAST
@given(data=st.data())
def test_stack_and_cat(data):
    sx, sy = data.draw(broadcastable_pair())
    x, y = data.draw(arrays(sx)), data.draw(arrays(sy))
    check(lambda a, b: stack([a * b, b - a], dim=-1), lambda a, b: np.stack([a * b, b - a], axis=-1), x, y)
    z = data.draw(arrays((2,) + sx))
    check(lambda a, c: cat([a.unsqueeze(0), c], dim=0), lambda a, c: np.concatenate([a[None], c]), x, z)


@FAST
@given(shape=shapes, data=st.data())
def test_min_is_max_of_the_negation(shape, data):
    x = data.draw(spread_arrays(shape))
    check(lambda t: t.min(), np.min, x)
    check(lambda t: t.norm(), lambda a: np.sqrt(np.sum(a * a)), x)
