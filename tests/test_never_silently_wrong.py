"""Cases that once gave a wrong gradient with no error: each is now right, or raises a clear error."""

import math

import numpy as np
import pytest

from backprop_course import Function, Tensor, Value, gradcheck, no_grad, ops
from backprop_course.gradcheck import GradcheckError
from backprop_course.nn import SGD, cross_entropy
from backprop_course.tensor import from_numpy


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# second order through 0-d results ------------------------------------------------
def test_create_graph_keeps_0d_gradients_differentiable():
    x = Tensor(0.7, requires_grad=True)
    x.exp().backward(create_graph=True)
    assert x.grad.requires_grad
    (g,) = [x.grad]
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(math.exp(0.7))


@pytest.mark.parametrize(("f", "second"), [
    (lambda x: x.tanh(), lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2)),
    (lambda x: x.sigmoid(), lambda v: (s := 1 / (1 + math.exp(-v))) * (1 - s) * (1 - 2 * s)),
    (lambda x: 1 / x, lambda v: 2 / v**3),
])
def test_second_derivative_of_a_0d_tensor(f, second):
    x = Tensor(0.7, requires_grad=True)
    f(x).backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(second(0.7), rel=1e-12)


def test_distinct_leaves_never_share_a_data_object():
    a = Value(2.0)
    b = Value(a.data)
    assert a.data == b.data and a.data is not b.data
    t = leaf([1.0, 2.0])
    assert t.detach().data is not t.data and np.shares_memory(t.detach().data, t.data)


# in-place writes ----------------------------------------------------------------
def test_writing_a_saved_leaf_before_backward_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[:] = 10
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_zeroing_a_saved_output_before_backward_raises():
    x = leaf([0.5, -1.0])
    y = x.exp()
    with pytest.raises(ValueError, match="read-only"):
        y.data[:] = 0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp([0.5, -1.0]))


def test_tensor_of_an_array_copies_so_later_writes_cannot_reach_the_graph():
    a = np.array([1.0, 2.0])
    x = Tensor(a, requires_grad=True)
    y = (x * x).sum()
    a[:] = 5
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_from_numpy_shares_and_locks_the_callers_array():
    a = np.array([1.0, 2.0])
    x = from_numpy(a, requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        a[:] = 5
    y.backward()
    a[:] = 5  # backward has used it: writable again
    np.testing.assert_array_equal(x.data, [5.0, 5.0])


def test_np_array_of_a_tensor_is_a_copy():
    t = Tensor([1.0, 2.0])
    copy = np.array(t)
    copy[:] = 7
    np.testing.assert_array_equal(t.data, [1.0, 2.0])


def test_writing_through_a_view_of_a_saved_array_raises():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    h = x.reshape(4)
    with pytest.raises(ValueError, match="read-only"):
        h.data[0] = 9  # a view made by the engine shares its input's memory
    y = (h * h).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[0, 0] = 9  # the base of a saved view
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [[2.0, 4.0], [6.0, 8.0]])


def test_an_array_saved_by_two_graphs_stays_locked_until_both_are_done():
    x = leaf([1.0, 2.0])
    y1, y2 = (x * x).sum(), (x * 3 * x).sum()
    y1.backward()
    with pytest.raises(ValueError, match="read-only"):
        x.data[:] = 10
    y2.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0 + 6.0, 4.0 + 12.0])
    x.data[:] = 10


def test_a_dropped_graph_releases_its_arrays():
    x = leaf([1.0, 2.0])
    (x * x).sum()  # evaluated, never backpropagated, dropped at once
    x.data[:] = 3
    assert x.data.tolist() == [3.0, 3.0]


def test_the_optimizer_update_after_backward_keeps_working():
    w, b = leaf([[0.5, -0.5], [1.0, 2.0]]), leaf([0.0, 0.0])
    x = Tensor([[1.0, 2.0]])
    for _ in range(3):
        loss = cross_entropy(x @ w + b, np.array([1]))
        w.grad = b.grad = None
        loss.backward()
        for p in (w, b):
            p.data -= 0.1 * p.grad.data  # in place, as the lecture writes it
    opt = SGD([w, b], lr=0.1)
    loss = cross_entropy(x @ w + b, np.array([1]))
    loss.backward(retain_graph=True)
    opt.step()  # rebinds .data, so even a retained graph keeps its saved arrays


def test_a_function_writing_into_what_it_saved_raises():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            x *= 0  # reuses the saved buffer
            return 2 * g

    with pytest.raises(ValueError, match="read-only"):
        Scale.apply(leaf([1.0])).sum().backward()


# NaN and inf ------------------------------------------------------------------------
NAN_OPS = {
    "relu": lambda t: t.relu(),
    "maximum (nan first)": lambda t: t.maximum(Tensor([1.0, 1.0])),
    "maximum (nan second)": lambda t: Tensor([1.0, 1.0]).maximum(t),
    "max": lambda t: t.max(),
    "sigmoid": lambda t: t.sigmoid(),
    "exp": lambda t: t.exp(),
    "tanh": lambda t: t.tanh(),
}


@pytest.mark.parametrize("name", NAN_OPS)
def test_nan_propagates_through_tensor_ops(name):
    out = NAN_OPS[name](Tensor([math.nan, 0.5]))
    assert np.isnan(out.data.ravel()[0])


@pytest.mark.parametrize("name", ["relu", "exp", "sigmoid", "tanh"])
def test_nan_propagates_through_value_ops(name):
    assert math.isnan(getattr(Value(math.nan), name)().data)


def test_relu_backward_has_no_negative_zero():
    x = leaf([1.0, -2.0, 3.0, -1.0])
    x.relu().backward(np.array([4.0, -1.0, 5.0, 9.0]))
    assert [math.copysign(1, g) for g in x.grad.data] == [1, 1, 1, 1]
    v = Value(-2.0)
    (v.relu() * -3).backward()
    assert math.copysign(1, v.grad) == 1


def test_relu_backward_keeps_inf_out_of_masked_entries():
    x = leaf([1.0, -1.0])
    x.relu().backward(np.array([math.inf, math.inf]))
    assert x.grad.data.tolist() == [math.inf, 0.0]



@pytest.mark.parametrize("size", [ops.SELECT_BY_BITS_FROM - 1, ops.SELECT_BY_BITS_FROM])  # both ways of selecting
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_and_maximum_route_the_gradient_bit_for_bit(size, dtype):
    rng = np.random.default_rng(size)
    specials = np.array([1.0, -1.0, 0.0, -0.0, math.nan, math.inf, -math.inf], dtype)
    x, y = (rng.choice(specials, size) * rng.uniform(0.5, 2, size).astype(dtype) for _ in range(2))
    g = rng.choice(specials, size) * rng.uniform(0.5, 2, size).astype(dtype)
    zero = np.zeros((), dtype)  # +0.0 off the mask, whatever g holds there (never -0.0, never NaN from inf * 0)

    xt = Tensor(x, requires_grad=True)
    xt.relu().backward(g)
    assert xt.grad.data.tobytes() == np.where((x > 0) | np.isnan(x), g, zero).tobytes()

    xt, yt = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    xt.maximum(yt).backward(g)
    nan = np.isnan(x) | np.isnan(y)
    assert xt.grad.data.tobytes() == np.where((x >= y) | nan, g, zero).tobytes()
    assert yt.grad.data.tobytes() == np.where((x < y) | nan, g, zero).tobytes()

class TimesNaN(Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        return g * math.nan


class NaNOut(Function):
    @staticmethod
    def forward(ctx, x):
        return x * math.nan

    @staticmethod
    def backward(ctx, g):
        return g


@pytest.mark.parametrize("fn", [TimesNaN, NaNOut])
@pytest.mark.parametrize("x", [Value(1.5), Tensor([1.0, 2.0])], ids=["Value", "Tensor"])
def test_gradcheck_fails_on_nan_naming_input_and_index(fn, x):
    with pytest.raises(GradcheckError, match=r"input 0: the (analytic|numeric) gradient is nan at index \("):
        gradcheck(fn.apply, x)


class NaNInSecondGradient(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = g * a
        gb[1] = math.nan
        return g * b, gb


def test_gradcheck_names_the_input_and_index_of_a_nan():
    with pytest.raises(GradcheckError) as err:
        gradcheck(NaNInSecondGradient.apply, [Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
    text = str(err.value)
    assert "ok   input 0" in text and "FAIL input 1: the analytic gradient is nan at index (1,)" in text


# ties: the first maximum wins the gradient ---------------------------------------------
def test_max_reduction_tie_goes_to_the_first_maximum():
    x = leaf([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    x.max().backward()
    assert x.grad.data.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    x.grad = None
    x.max(axis=1).sum().backward()
    assert x.grad.data.tolist() == [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    x.grad = None
    x.max(axis=0).sum().backward()
    assert x.grad.data.tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_elementwise_maximum_tie_goes_to_the_first_argument():
    x, y = leaf([1.0, 2.0]), leaf([1.0, 3.0])
    x.maximum(y).sum().backward()
    assert x.grad.data.tolist() == [1.0, 0.0] and y.grad.data.tolist() == [0.0, 1.0]


# masks and indices ------------------------------------------------------------------------
def test_boolean_tensor_masks_index_like_boolean_arrays():
    t = leaf([1.0, 2.0, 3.0])
    mask = Tensor(np.array([True, False, True]))
    assert mask.dtype == np.bool_
    picked = t[mask]
    assert picked.data.tolist() == [1.0, 3.0]
    picked.sum().backward()
    assert t.grad.data.tolist() == [1.0, 0.0, 1.0]


def test_a_float_index_tensor_raises():
    with pytest.raises(TypeError, match="integers or booleans"):
        Tensor([1.0, 2.0, 3.0])[Tensor([1.9])]
    assert Tensor([1.0, 2.0, 3.0])[Tensor([2.0])].data.tolist() == [3.0]  # whole numbers are positions


# graphs that were never recorded ---------------------------------------------------------------
def test_backward_on_a_result_computed_inside_no_grad_says_so():
    x = leaf([2.0])
    with no_grad():
        y = (x * 3).sum()
    with pytest.raises(RuntimeError, match=r"recorded no graph.*no_grad\(\)"):
        y.backward()
    v = Value(2.0)
    with no_grad():
        w = v * 3
    with pytest.raises(RuntimeError, match=r"recorded no graph.*no_grad\(\)"):
        w.backward()
    assert v.grad == 0.0


class Complex(Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        return g * (1 + 1j)


def test_a_complex_gradient_raises_instead_of_dropping_its_imaginary_part():
    with pytest.raises(ValueError, match=r"Complex\.backward.*complex.*real"):
        Complex.apply(leaf([1.0])).sum().backward()
    with pytest.raises(ValueError, match=r"Complex\.backward.*real number"):
        Complex.apply(Value(1.0)).backward()


def test_in_place_operators_update_outside_the_graph_and_refuse_saved_data():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with no_grad(), pytest.raises(RuntimeError, match="saved it to compute gradients and has not run backward"):
        w -= 0.1
    with pytest.raises(RuntimeError, match="inside no_grad"):
        w -= 0.1
    loss.backward()
    with no_grad():
        w -= 0.25 * w.grad
    assert w.is_leaf and w.requires_grad and w.data.tolist() == [0.5, 1.0]


class ScaledBy(Function):
    """forward(k, x) = k * x with a constant first; backward returns whatever `bad` holds for x."""

    bad = None

    @staticmethod
    def forward(ctx, k, x):
        return k * x

    @staticmethod
    def backward(ctx, g):
        return ScaledBy.bad(g)


@pytest.mark.parametrize("bad, message", [
    (lambda g: np.ones((3, 2)), r"ScaledBy\.backward returned a gradient of shape \(3, 2\) for input 1, which has "
                                r"shape \(2,\); a gradient must have its input's shape\."),
    (lambda g: "g", r"ScaledBy\.backward returned str for input 1; expected an array"),
    (lambda g: g * 1j, r"ScaledBy\.backward returned a gradient of dtype complex128 for input 1; gradients of "
                       r"real inputs must be real"),
])
def test_a_wrong_gradient_is_refused_naming_the_argument(bad, message):
    ScaledBy.bad = staticmethod(bad)
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ValueError, match=message):
        ScaledBy.apply(3.0, x).sum().backward()
