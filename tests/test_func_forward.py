"""Forward mode: every primitive's tangent rule against central differences and against the vjp.

Each case below runs one primitive through `func.jvp` on hypothesis shapes
(0-d and broadcasting included). The tangent must match central differences of
the op along the tangent, and satisfy <u, J t> = <J^T u, t> against the vjp.
A fixture makes sure forward mode really ran (no double-vjp fallback).
"""

import contextlib
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, broadcastable_pair, nonempty_shapes, shapes, spread_arrays

from backprop_course import Function, Tensor, cat, ops, stack
from backprop_course import func as F

EPS = 1e-6
SECOND = settings(max_examples=12, deadline=None)
FIRST = settings(max_examples=25, deadline=None)


@contextlib.contextmanager
def forward_only():
    """Fail if a transform inside falls back to the double-vjp trick."""
    def refuse(self):
        raise AssertionError("forward mode fell back to two vjps")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(F._Linearization, "push", refuse)
        yield


def _axis(shape, data):
    return data.draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))


def _pair(data, low=-3.0, high=3.0, y_low=None, y_high=None):
    sx, sy = data.draw(broadcastable_pair())
    return [data.draw(arrays(sx, low, high)), data.draw(arrays(sy, y_low or low, y_high or high))]


def _index(shape, data):
    """A basic slice or an integer array (with repeats) into the first axis."""
    if data.draw(st.booleans()):
        return (slice(0, None, 2),)
    return (np.array(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4))),)


# (op class, draw the input arrays, the function of Tensors that applies it)
CASES = {
    "add": (ops.Add, _pair, lambda x, y: x + y),
    "sub": (ops.Sub, _pair, lambda x, y: x - y),
    "mul": (ops.Mul, _pair, lambda x, y: x * y),
    "div": (ops.Div, lambda d: _pair(d, y_low=0.5, y_high=3.0), lambda x, y: x / y),
    "pow": (ops.Pow, lambda d: _pair(d, 0.5, 3.0, -2.0, 2.0), lambda x, y: x**y),
    "maximum": (ops.Maximum, lambda d: [d.draw(spread_arrays(s)) for s in d.draw(broadcastable_pair())],
                lambda x, y: x.maximum(y * 1.1)),
    "neg": (ops.Neg, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: -x),
    "pow_const": (ops.PowConst, lambda d: [d.draw(arrays(d.draw(shapes), 0.5, 3.0))],
                  lambda x: x**3 + x**0.5 + x**-1.5),
    "exp": (ops.Exp, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.exp()),
    "log": (ops.Log, lambda d: [d.draw(arrays(d.draw(shapes), 0.5, 3.0))], lambda x: x.log()),
    "tanh": (ops.Tanh, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.tanh()),
    "sigmoid": (ops.Sigmoid, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.sigmoid()),
    "relu": (ops.ReLU, lambda d: [d.draw(spread_arrays(d.draw(shapes)))], lambda x: x.relu()),
    "matmul": (ops.MatMul, lambda d: [d.draw(arrays(s)) for s in d.draw(st.sampled_from(
        [((2, 3), (3, 2)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 1, 3), (3, 2)), ((2, 2, 3), (2, 3, 1))]))],
        lambda x, y: x @ y),
    "broadcast_to": (ops.BroadcastTo, lambda d: [d.draw(arrays(d.draw(shapes)))],
                     lambda x: ops.BroadcastTo.apply(x, (2,) + x.shape)),
    "sum": (ops.Sum, lambda d: [d.draw(arrays(d.draw(shapes)))], None),
    "mean": (ops.Mean, lambda d: [d.draw(arrays(d.draw(shapes)))], None),
    "max": (ops.Max, lambda d: [d.draw(spread_arrays(d.draw(shapes)))], None),
    "reshape": (ops.Reshape, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.reshape(-1, 1)),
    "transpose": (ops.Transpose, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.T * 1.0),
    "getitem": (ops.GetItem, lambda d: [d.draw(arrays(d.draw(nonempty_shapes)))], None),
    "scatter_add": (ops.ScatterAdd, lambda d: [d.draw(arrays((3,)))],
                    lambda g: ops.ScatterAdd.apply(g, (np.array([0, 2, 0]),), (4,))),
    "softmax": (ops.Softmax, lambda d: [d.draw(arrays(d.draw(nonempty_shapes)))], lambda x: x.softmax(axis=0)),
    "log_softmax": (ops.LogSoftmax, lambda d: [d.draw(arrays(d.draw(nonempty_shapes)))],
                    lambda x: x.log_softmax(axis=-1)),
    "select": (ops.Select, lambda d: [d.draw(arrays(d.draw(shapes)))],
               lambda x: ops.Select.apply(x, np.arange(x.data.size).reshape(x.shape) % 2 == 0)),
    "sin": (ops.Sin, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.sin()),
    "cos": (ops.Cos, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.cos()),
    "abs": (ops.Abs, lambda d: [d.draw(spread_arrays(d.draw(shapes)))], lambda x: x.abs()),
    "clamp": (ops.Clamp, lambda d: [d.draw(spread_arrays(d.draw(shapes)))], lambda x: x.clamp(-1.2345, 1.2345)),
    "norm": (ops.Norm, lambda d: [d.draw(spread_arrays(d.draw(nonempty_shapes)))],
             lambda x: x.norm() + x.norm(dim=-1, keepdim=True)),
    "clone": (ops.Clone, lambda d: [d.draw(arrays(d.draw(shapes)))], lambda x: x.clone()),
    "stack": (ops.Stack, _pair, lambda x, y: stack([x * y, y - x])),
    "cat": (ops.Cat, lambda d: [d.draw(arrays(s)) for s in ((2, 3), (1, 3))], lambda x, y: cat([x, y])),
}


def draw_case(name, data):
    """The case's input arrays and its function (reductions and indexing draw their axis or index)."""
    _, draw, f = CASES[name]
    xs = draw(data)
    if f is None:
        if name == "getitem":
            index = _index(xs[0].shape, data)
            return xs, lambda x: x[index]
        axis, keepdims = _axis(xs[0].shape, data), data.draw(st.booleans())
        return xs, lambda x: getattr(x, name)(axis=axis, keepdims=keepdims)
    return xs, f


def along(f, xs, ts, h):
    return np.asarray(f(*[Tensor(x + h * t) for x, t in zip(xs, ts, strict=True)]).data)


@pytest.mark.parametrize("name", CASES)
@FIRST
@given(data=st.data())
def test_tangent_rule_matches_central_differences_and_the_vjp(name, data):
    xs, f = draw_case(name, data)
    ts = [data.draw(arrays(x.shape, -1.0, 1.0)) for x in xs]
    with forward_only():
        out, tangent = F.jvp(f, tuple(xs), tuple(ts))
    np.testing.assert_allclose(out.data, f(*[Tensor(x) for x in xs]).data, rtol=1e-12, atol=1e-12)
    assert tangent.shape == out.shape and not tangent.requires_grad
    numeric = (along(f, xs, ts, EPS) - along(f, xs, ts, -EPS)) / (2 * EPS)
    np.testing.assert_allclose(tangent.data, numeric, rtol=1e-5, atol=1e-6)
    u = data.draw(arrays(out.shape, -1.0, 1.0))
    _, vjp_fn = F.vjp(f, *xs)
    transposed = sum(float(np.sum(g.data * t)) for g, t in zip(vjp_fn(u), ts, strict=True))
    assert float(np.sum(u * tangent.data)) == pytest.approx(transposed, rel=1e-9, abs=1e-10)


@pytest.mark.parametrize("name", CASES)
@SECOND
@given(data=st.data())
def test_forward_over_reverse_second_derivatives(name, data):
    """hessian = jacfwd(jacrev): exact against reverse over reverse, and against differences of the gradient."""
    xs, f = draw_case(name, data)
    w = np.random.default_rng(0).standard_normal(np.shape(f(*[Tensor(x) for x in xs]).data))

    def scalar(x, *rest):
        return ((f(x, *rest) * w).tanh() * 1.5).sum()  # tanh makes even linear ops' Hessians nonzero

    with forward_only():
        H = F.hessian(scalar)(*xs).data
    np.testing.assert_allclose(H, F.jacrev(F.jacrev(scalar))(*xs).data, rtol=1e-9, atol=1e-12)
    x0, rest = xs[0], xs[1:]
    numeric = np.zeros(x0.shape + x0.shape)
    for idx in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[idx] = EPS
        plus = F.grad(scalar)(x0 + step, *rest).data
        minus = F.grad(scalar)(x0 - step, *rest).data
        numeric[(...,) + idx] = (plus - minus) / (2 * EPS)
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-6)


def primitives():
    return {c for _, c in inspect.getmembers(ops, inspect.isclass) if issubclass(c, Function) and c is not Function}


def test_every_primitive_has_a_tangent_rule():
    missing = sorted(c.__name__ for c in primitives() | {F._Input} if c.jvp is Function.jvp)
    assert not missing, f"give these Functions a jvp(ctx, *tangents) beside forward and backward: {missing}"


def test_every_primitive_has_a_case_here():
    untested = sorted(c.__name__ for c in primitives() - {op for op, _, _ in CASES.values()})
    assert not untested, f"add a case to CASES in this file for: {untested}"


# --- what forward mode is ---------------------------------------------------------------


def test_jvp_records_no_graph():
    seen = []

    def f(x):
        y = (x * 2.0).exp()
        seen.append(y)
        return y.sum()

    out, tangent = F.jvp(f, (np.array([0.1, 0.2]),), (np.array([1.0, 0.0]),))
    assert seen[0].parents == () and seen[0].is_leaf  # nothing recorded for a backward pass
    assert not out.requires_grad and not tangent.requires_grad
    assert tangent.item() == pytest.approx(2 * np.exp(0.2))


def test_constants_carry_no_tangent_and_numbers_work():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    with forward_only():
        _, t = F.jvp(lambda x: 2 * (Tensor(A) @ x) + 1, (np.ones(2),), (np.array([1.0, 0.0]),))
    np.testing.assert_allclose(t.data, 2 * A[:, 0])


class Cube(Function):
    """x**3 with a backward only: forward mode must fall back to two vjps for it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


def test_a_function_without_a_tangent_rule_falls_back_to_two_vjps():
    x = np.array([0.5, -1.0, 2.0])
    with forward_only():  # the fallback is local to Cube's node: the transform stays forward mode
        _, t = F.jvp(lambda x: Cube.apply(x).tanh(), (x,), (np.ones(3),))
        H = F.hessian(lambda x: Cube.apply(x).sum())(x).data
    np.testing.assert_allclose(t.data, 3 * x**2 * (1 - np.tanh(x**3) ** 2), rtol=1e-12)
    np.testing.assert_allclose(H, np.diag(6 * x), rtol=1e-12)


def test_a_backward_outside_the_engine_gets_a_clear_message():
    class Opaque(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return np.multiply(2.0, np.asarray(g))  # leaves the engine: no graph of g

    with pytest.raises(TypeError, match="Opaque has no jvp"):
        F.jvp(lambda x: Opaque.apply(x), (np.ones(2),), (np.ones(2),))


def test_a_tangent_rule_of_the_wrong_shape_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def jvp(ctx, t):
            return t.sum()

    with pytest.raises(ValueError, match=r"Bad\.jvp returned a tangent of shape \(\)"):
        F.jvp(lambda x: Bad.apply(x), (np.ones(2),), (np.ones(2),))


# --- nesting -------------------------------------------------------------------------------


def toy(x):
    return x[0] ** 2 * x[1] + x[1] ** 3


H_TOY = np.array([[4.0, 2.0], [2.0, 12.0]])  # at (1, 2)


@pytest.mark.parametrize("outer", [F.jacfwd, F.jacrev])
@pytest.mark.parametrize("inner", [F.jacfwd, F.jacrev, F.grad])
def test_every_nesting_of_the_transforms_gives_the_hessian(outer, inner):
    np.testing.assert_allclose(outer(inner(toy))(np.array([1.0, 2.0])).data, H_TOY, atol=1e-12)


def test_hessian_and_hvp_are_forward_over_reverse():
    x = np.array([1.0, 2.0])
    with forward_only():
        np.testing.assert_allclose(F.hessian(toy)(x).data, H_TOY)
        value, (hv,) = F.hvp(toy, (x,), (np.array([0.0, 1.0]),))
    assert value.item() == 10.0
    np.testing.assert_allclose(hv.data, [2.0, 12.0])


def test_third_derivative_forward_over_reverse_over_reverse():
    f = lambda x: (x**4).sum()  # noqa: E731
    d3 = F.jacfwd(F.grad(F.grad(f)))
    assert d3(Tensor(2.0)).item() == pytest.approx(48.0)


def test_jvp_closing_over_a_tensor_that_requires_grad_stays_differentiable():
    W = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    x, v = np.array([0.3, -0.1]), np.array([1.0, 2.0])
    _, t = F.jvp(lambda x: (x @ W).tanh(), (x,), (v,))  # f reaches W's graph: two vjps keep it connected
    t.sum().backward()
    z = x @ W.data
    s = 1 - np.tanh(z) ** 2
    expected = np.outer(v, s) + np.outer(x, -2 * np.tanh(z) * s * (v @ W.data))  # d/dW sum(s * (v @ W))
    np.testing.assert_allclose(W.grad.data, expected, rtol=1e-10)
