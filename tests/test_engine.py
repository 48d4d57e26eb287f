"""The engine itself: topological order, the Function API, gradcheck, and gradients of gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FAST, arrays, leaf, numeric_grad

from backprop_course import Context, Function, Tensor, Value, func, gradcheck, no_grad, topological_order
from backprop_course.autodiff import node_vjp
from backprop_course.gradcheck import GradcheckError


# topological order ------------------------------------------------------------
def test_topological_order_puts_parents_first_and_visits_once():
    a = Value(1.0)
    b = a + a
    c = b + b
    d = c * b
    order = topological_order(d)
    assert len(order) == len({id(n) for n in order}) == 4
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is d and order[0] is a


def test_topological_order_is_iterative():
    x = Value(0.0)
    y = x
    for _ in range(5000):  # deeper than the default recursion limit
        y = y * 1.0
    order = topological_order(y)
    assert order[0] is x and order[-1] is y and len(order) == 2 * 5000 + 1  # each step adds a constant


def test_node_vjp_is_one_backward_step():
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([[3.0], [4.0]], requires_grad=True)
    z = x * y  # broadcasts to (2, 2)
    gx, gy = node_vjp(z, np.ones((2, 2)))
    np.testing.assert_array_equal(gx, [7.0, 7.0])  # reduced to x's shape
    np.testing.assert_array_equal(gy, [[3.0], [3.0]])
    assert x.grad is None  # a step only: nothing accumulated


# the Function API ---------------------------------------------------------------
class Multiply(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y * grad_z, x * grad_z


def test_custom_function_on_values():
    a, b = Value(2.0), Value(-3.0)
    z = Multiply.apply(a, b)
    assert isinstance(z, Value) and z.data == -6.0
    assert z.parents == (a, b) and z.op == "Multiply"
    z.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)


def test_custom_function_on_tensors_reduces_broadcast_gradients():
    a = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    z = Multiply.apply(a, b)
    assert isinstance(z, Tensor) and z.shape == (2, 3)
    z.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[10.0, 20.0, 30.0], [10.0, 20.0, 30.0]])
    np.testing.assert_array_equal(b.grad.data, [5.0, 7.0, 9.0])  # summed over the broadcast axis
    assert gradcheck(lambda p, q: Multiply.apply(p, q), [a, b])


def test_custom_function_on_plain_data_returns_plain_data():
    assert Multiply.apply(2.0, 3.0) == 6.0


def test_context_tells_backward_which_inputs_need_gradients():
    seen = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, x, y):
            assert isinstance(ctx, Context)
            return x + y

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g, None if not ctx.needs_input_grad[1] else g

    x = Tensor([1.0], requires_grad=True)
    Spy.apply(x, Tensor([2.0])).sum().backward()
    assert seen == [(True, False)]
    with no_grad():
        assert not Spy.apply(x, x).requires_grad


def test_function_with_non_node_arguments():
    class Scale(Function):
        op = "scale"

        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k

    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(x, 3.0)
    assert y.op == "scale" and y.parents == (x,)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_minitorchs_saved_values_and_a_list_from_backward():
    class Listed(Multiply):
        @staticmethod
        def backward(ctx, grad_z):
            x, y = ctx.saved_values  # MiniTorch's name for saved_tensors
            return [y * grad_z, x * grad_z]  # a list is read as one gradient per input

    a, b = Value(2.0), Value(-3.0)
    Listed.apply(a, b).backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)


def test_a_constant_that_is_a_nodes_own_data_is_not_taken_for_the_node():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(c)
            return x * c

        @staticmethod
        def backward(ctx, g):
            return g * ctx.saved_tensors[0], None

    t0 = np.array([1.5, 2.0])
    f = lambda t, c: (Scale.apply(t, c) * t).sum()  # noqa: E731 - sum(c t²) for the constant c
    h = func.hessian(lambda t: f(t, t.data))(Tensor(t0)).data  # c is t's own array
    eps = 1e-6  # central differences of the gradient, with c held at t0
    first = lambda t: func.grad(lambda u: f(u, t0.copy()))(Tensor(t)).data  # noqa: E731
    numeric = np.array([(first(t0 + eps * e) - first(t0 - eps * e)) / (2 * eps) for e in np.eye(2)])
    np.testing.assert_allclose(h, numeric, rtol=1e-6)
    np.testing.assert_allclose(h, np.diag(2 * t0))


# gradcheck --------------------------------------------------------------------
class SquareOffByTwo(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * (2 * x * g)  # twice the true gradient


def test_gradcheck_passes_on_correct_functions():
    x = Tensor(np.linspace(0.5, 2.0, 6).reshape(2, 3))
    y = Tensor([0.3, -0.2, 0.1])
    assert gradcheck(lambda a, b: (a * b).tanh() @ b, [x, y]) is True
    assert gradcheck(lambda a: a.log_softmax(axis=0), x) is True
    assert gradcheck(lambda a, b: (a * b + a.exp()) / b, [Value(0.7), Value(1.3)]) is True


def test_gradcheck_leaves_inputs_alone():
    x = Tensor([1.0, 2.0], requires_grad=True)
    before = x.data.copy()
    gradcheck(lambda a: a * a, [x])
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None


def test_gradcheck_catches_a_factor_of_two():
    x = Tensor([1.0, 2.0, 3.0])
    y = Tensor([0.5, 0.5, 0.5])
    with pytest.raises(GradcheckError) as err:
        gradcheck(lambda a, b: (SquareOffByTwo.apply(a) + a * b).sum(), [x, y])
    ok, bad = err.value.report[1], err.value.report[0]
    assert ok.ok and ok.index == 1 and ok.max_abs_error < 1e-6
    assert not bad.ok and bad.index == 0
    # analytic 4x + b against numeric 2x + b: the worst error is at x = 3
    assert bad.worst_index == (2,)
    assert bad.max_abs_error == pytest.approx(6.0, rel=1e-5)
    assert bad.analytic == pytest.approx(12.5, rel=1e-6) and bad.numeric == pytest.approx(6.5, rel=1e-5)
    assert bad.max_rel_error == pytest.approx(6.0 / 6.5, rel=1e-5)  # also at x = 3
    text = str(err.value)
    assert "FAIL input 0" in text and "(2,)" in text and "ok   input 1" in text


def test_gradcheck_catches_a_wrong_scalar_backward():
    with pytest.raises(GradcheckError, match="FAIL input 0") as err:
        gradcheck(lambda a: SquareOffByTwo.apply(a), [Value(1.5)])
    assert err.value.report[0].analytic == pytest.approx(6.0) and err.value.report[0].numeric == pytest.approx(3.0)


# gradients of gradients ---------------------------------------------------------
def hessian_rows(f, x0):
    """The Hessian of scalar f at x0, one create_graph backward per row."""
    rows = []
    for i in range(x0.size):
        x = leaf(x0)
        f(x).backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.reshape(-1)[i].backward()
        rows.append(x.grad.data.reshape(-1))
    return np.array(rows)


@FAST
@given(x0=arrays((3,)), a=arrays((3, 3)))
def test_hessian_of_a_cubic_form(x0, a):
    # f = x.A.x + sum(x^3): H = A + A^T + diag(6 x)
    h = hessian_rows(lambda x: x @ (Tensor(a) @ x) + (x**3).sum(), x0)
    np.testing.assert_allclose(h, a + a.T + np.diag(6 * x0), atol=1e-12)


@FAST
@given(x0=arrays((4,)), k=st.integers(0, 3))
def test_hessian_of_cross_entropy(x0, k):
    # -log softmax(x)[k] has Hessian diag(p) - p p^T
    p = np.exp(x0 - x0.max())
    p /= p.sum()
    h = hessian_rows(lambda x: -x.log_softmax()[k], x0)
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), atol=1e-12)


STEPS = {
    "mul": lambda h, y: h * y,
    "add": lambda h, y: h + y,
    "div": lambda h, y: h / (y * y + 1.0),
    "tanh": lambda h, y: h.tanh(),
    "sigmoid": lambda h, y: h.sigmoid() * y,
    "exp": lambda h, y: (0.3 * h).exp(),
    "square": lambda h, y: h**2,
    "pow": lambda h, y: (h * h + 1.0) ** (0.5 * y.sigmoid()),
    "log": lambda h, y: (h * h + 1.0).log(),
    "softmax": lambda h, y: h.softmax(axis=-1) * y,
    "log_softmax": lambda h, y: h.log_softmax(axis=0),
    "matmul": lambda h, y: h @ (y.reshape(-1, 1) @ y.reshape(1, -1)) * 0.5,
    "mean": lambda h, y: h - h.mean(axis=-1, keepdims=True),
    "index": lambda h, y: h[..., [2, 0, 1]] * h[..., [1, 1, 0]],
    "transpose": lambda h, y: (h.T * y.reshape(-1, 1)).T,
}


@FAST
@given(program=st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=4),
       x0=arrays((2, 3), -1.0, 1.0), y0=arrays((3,), -1.0, 1.0), v=arrays((2, 3)))
def test_double_backward_of_random_functions(program, x0, y0, v):
    """d/d(x, y) of (df/dx . v), built with create_graph, against central differences of df/dx."""

    def f(x, y):
        h = x
        for step in program:
            h = STEPS[step](h, y)
        return (h * h).sum()

    def grad_dot_v(x_arr, y_arr):
        x, y = leaf(x_arr), leaf(y_arr)
        f(x, y).backward()
        return float((x.grad.data * v).sum())

    x, y = leaf(x0), leaf(y0)
    f(x, y).backward(create_graph=True)
    gx = x.grad
    x.grad = y.grad = None
    (gx * Tensor(v)).sum().backward()
    numeric = numeric_grad(grad_dot_v, [x0, y0])
    for t, num in zip((x, y), numeric, strict=True):
        analytic = np.zeros_like(t.data) if t.grad is None else t.grad.data
        np.testing.assert_allclose(analytic, num, rtol=1e-4, atol=1e-5)


def test_create_graph_on_an_accumulated_leaf_keeps_the_graph():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)  # 3 x^2
    (x**2).sum().backward(create_graph=True)  # + 2 x, added to the graph of the first
    g = x.grad
    np.testing.assert_array_equal(g.data, [5.0, 16.0])
    x.grad = None
    g.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [8.0, 14.0])  # 6 x + 2


def test_context_for_node_is_the_ctx_forward_left():
    from backprop_course import autodiff, ops

    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    y = x.sum(axis=0, keepdims=True)  # forward set ctx attributes (the axis) as well as saving nothing
    z = x * 3.0
    g = np.array([0.5])
    np.testing.assert_array_equal(ops.Sum.backward(autodiff.Context.for_node(y), g), autodiff.node_vjp(y, g)[0])
    ctx = autodiff.Context.for_node(z)
    assert ctx.needs_input_grad == (True, False) and ctx.saved_tensors[0] is x.data
