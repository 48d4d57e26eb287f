"""Tensor, the array front-end: construction, dtypes, grad modes, backward options, stability."""

import warnings

import numpy as np
import pytest

from backprop_course import Tensor, no_grad


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# construction and conversion ------------------------------------------------
def test_construction_dtypes():
    assert Tensor([1.0, 2.0]).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(3).dtype == np.float64 and Tensor(3).shape == ()
    ints = Tensor(np.arange(3))
    assert ints.dtype == np.float64 and ints.data.tolist() == [0.0, 1.0, 2.0]
    assert Tensor([True, False]).dtype == np.bool_  # a mask, as in PyTorch


def test_attributes_and_conversion():
    t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], label="t")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.numel() == 6 and len(t) == 2
    assert t.label == "t" and t.is_leaf and t.parents == () and t.grad is None and not t.requires_grad
    assert isinstance(t.data, np.ndarray) and t.numpy() is t.data
    np.testing.assert_array_equal(np.asarray(t), t.data)
    assert t.T.shape == (3, 2)
    assert Tensor([[7.0]]).item() == 7.0 and type(Tensor([[7.0]]).item()) is float


def test_ops_record_parents_and_op_names():
    x, w = leaf([[1.0, 2.0]]), leaf([[1.0], [2.0]])
    y = x @ w
    assert y.op == "@" and y.parents == (x, w)
    z = x * x
    assert z.parents[0] is x and z.parents[1] is x and z.op == "*"
    s = z.sum()
    assert s.op == "sum" and s.parents == (z,) and not s.is_leaf


# grad modes -------------------------------------------------------------------
def test_requires_grad_propagates_from_any_input():
    a, b = leaf([1.0]), Tensor([2.0])
    assert (a + b).requires_grad and (b * a).requires_grad
    assert not (b * b).requires_grad
    assert not (b * 2).requires_grad and (b * 2).parents == ()


def test_no_grad_records_nothing_and_restores():
    x = leaf([1.0, 2.0])
    with no_grad():
        y = x * 2
        assert not y.requires_grad and y.parents == ()
    assert (x * 2).requires_grad
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert (x * 2).requires_grad  # restored after an exception too


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * 3).detach()
    assert not d.requires_grad and d.is_leaf
    np.testing.assert_array_equal(d.data, [3.0, 6.0])
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 6.0])  # d is a constant


def test_no_grad_parameter_update_pattern():
    w = leaf([1.0, -1.0])
    (w * w).sum().backward()
    with no_grad():
        w_new = w - 0.1 * w.grad
    assert not w_new.requires_grad
    np.testing.assert_allclose(w_new.data, [0.8, -0.8])


# backward options -------------------------------------------------------------
def test_backward_on_scalar_and_with_explicit_grad():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, -6.0])
    assert isinstance(x.grad, Tensor)


def test_leaf_grads_accumulate_and_intermediates_do_not():
    x = leaf([1.0, 2.0])
    h = x * x
    y = h.sum()
    y.backward(retain_graph=True)
    y.backward()  # retain_graph=True allowed the second pass
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])
    np.testing.assert_array_equal(h.grad.data, [1.0, 1.0])


@pytest.mark.parametrize("grad", [True, False])
def test_result_dtypes_follow_type_promotion_under_every_numpy(grad):
    # numpy 1 promotes by value where 0-d arrays meet arrays (float32 with a 0-d float64 stays float32,
    # a 0-d float32 with a number becomes float64); the engine's results are numpy 2's under both.
    x32, x32_0d, x64_0d = leaf(np.ones(3), np.float32), leaf(2.0, np.float32), leaf(2.0)
    for t in (x32, x32_0d, x64_0d):
        t.requires_grad_(grad)
    assert (x32 * x64_0d).dtype == np.float64
    assert (x64_0d + x32).dtype == np.float64
    assert x32_0d.sigmoid().dtype == np.float32
    assert (x32_0d * 0.5 + 1).dtype == np.float32
    assert x32.mean().dtype == np.float32
    assert (x32 @ x32).dtype == np.float32


def test_grad_of_float32_stays_float32():
    x = leaf(np.ones((2, 3)), np.float32)
    w = leaf(np.ones((3, 4)), np.float32)
    b = leaf(np.ones(4), np.float32)
    y = ((x @ w + b).relu().sigmoid() * 2.0).log_softmax(axis=-1)
    loss = -y[np.arange(2), np.array([0, 3])].mean() + (x.max(axis=1) ** 2).sum()
    assert loss.dtype == np.float32
    loss.backward()
    for t in (x, w, b):
        assert t.grad.dtype == np.float32


def test_float32_with_float64_operand_gives_float64_output_but_float32_grads():
    x = leaf([1.0, 2.0], np.float32)
    y = x * np.array([1.0, 2.0])  # NumPy's promotion: float64 output
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_constant_operands_are_arrays_or_lists():
    x = leaf([1.0, 2.0])
    y = ([3.0, 4.0] * x + np.array([1.0, 1.0])).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    np.testing.assert_array_equal((np.array([3.0, 4.0]) @ x).data, 11.0)


def test_deep_chain_of_100k_ops():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])
    np.testing.assert_array_equal(y.data, [100_001.0, 100_002.0])


# numerical stability ----------------------------------------------------------
@pytest.fixture
def strict_numpy():
    """Every overflow, division by zero or invalid operation raises; so does any warning.

    Underflow to 0 (for example exp(-1000)) is the correctly rounded answer, so it stays allowed.
    """
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


def test_relu_of_infinities_and_negatives_is_exact(strict_numpy):
    x = leaf([-np.inf, -2.0, 0.0, 3.0, np.inf])
    y = x.relu()
    assert y.data.tolist() == [0.0, 0.0, 0.0, 3.0, np.inf]
    assert not np.signbit(y.data).any()  # no -0.0 from multiplying by a mask
    y.sum().backward()
    assert x.grad.data.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_and_maximum_route_any_upstream_bit_for_bit(dtype):
    """Off the mask a gradient is +0.0 whatever arrives (inf, NaN, -0.0); on it, the upstream bits unchanged. A NaN
    input is on the mask (it is not below anything), as in PyTorch."""
    data = np.array([-2.0, -0.0, 0.0, 1.0, np.inf, -np.inf, np.nan, 3.0], dtype)
    upstream = np.array([1.0, np.nan, -np.inf, -0.0, np.nan, np.inf, 2.0, -0.0], dtype)
    x, y = leaf(data, dtype), leaf(data[::-1].copy(), dtype)
    x.relu().backward(upstream)
    nan = np.isnan(data)
    expected = np.where((data > 0) | nan, upstream, dtype(0))
    assert x.grad.dtype == dtype and x.grad.data.tobytes() == expected.tobytes()
    x.grad = None
    x.maximum(y).backward(upstream)
    either_nan = nan | nan[::-1]
    first = (data >= data[::-1]) | either_nan
    assert x.grad.data.tobytes() == np.where(first, upstream, dtype(0)).tobytes()
    assert y.grad.data.tobytes() == np.where((data < data[::-1]) | either_nan, upstream, dtype(0)).tobytes()


def test_sigmoid_is_stable_at_extremes(strict_numpy):
    x = leaf([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    s = x.sigmoid()
    assert np.all(np.isfinite(s.data))
    np.testing.assert_allclose(s.data[1:4], [np.exp(-30.0) / (1 + np.exp(-30.0)), 0.5, 1 / (1 + np.exp(-30.0))])
    assert s.data[0] == 0.0 and s.data[-1] == 1.0 and s.data[2] == 0.5
    s.sum().backward()
    assert np.all(np.isfinite(x.grad.data)) and x.grad.data[2] == 0.25


def test_log_softmax_and_cross_entropy_are_stable_at_extremes(strict_numpy):
    logits = leaf([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    logp = logits.log_softmax(axis=-1)
    assert np.all(np.isfinite(logp.data))
    np.testing.assert_allclose(logp.data, [[-2000.0, -1000.0, 0.0], [-np.log(2), -np.log(2), -2000.0 - np.log(2)]])
    targets = np.array([0, 1])
    loss = -logp[np.arange(2), targets].mean()  # cross-entropy from log_softmax
    assert np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(2)) / 2)
    loss.backward()
    # d(loss)/d(logits) = (softmax - onehot) / batch
    expected = np.array([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.0]]) / 2
    np.testing.assert_allclose(logits.grad.data, expected, atol=1e-12)


def test_softmax_is_stable_at_extremes(strict_numpy):
    x = leaf([[1000.0, 1000.0], [-1000.0, 1000.0]])
    p = x.softmax(axis=1)
    np.testing.assert_allclose(p.data, [[0.5, 0.5], [0.0, 1.0]])
    (p[:, 0]).sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_float32_grads_stay_float32_under_create_graph():
    for f in (lambda a: (a.relu() * a).sum(), lambda a: (a.maximum(a * 0.5) * a).sum(),
              lambda a: (a.max(0).values * a).sum(), lambda a: a.log_softmax().sum() * a.sum()):
        x = leaf([1.0, 2.0], np.float32)
        f(x).backward(create_graph=True)
        g = x.grad
        assert g.dtype == np.float32 and g.requires_grad
        x.grad = None
        g.sum().backward()
        assert x.grad.dtype == np.float32


def test_boolean_mask_operand_keeps_the_tensor_dtype():
    mask = np.array([True, False])
    assert (Tensor(np.ones(2, np.float32)) * mask).dtype == np.float32
    np.testing.assert_array_equal((Tensor([3.0, 4.0]) * mask).data, [3.0, 0.0])


@pytest.mark.parametrize("op", [lambda x, y: x * y, lambda x, y: x ** y, lambda x, y: x + y, lambda x, y: y - x])
def test_a_0d_float32_leaf_gets_a_float32_gradient_from_a_float64_op(op):
    """Its gradient is summed over every axis of the float64 result (a NumPy scalar), then takes the leaf's dtype,
    as a leaf of any other shape does and as torch does."""
    torch = pytest.importorskip("torch")
    x = Tensor(np.array([[0.5, 2.0], [1.5, 0.25]]), requires_grad=True)
    y = Tensor(np.array(1.5, dtype=np.float32), requires_grad=True)
    op(x, y).sum().backward()
    assert y.grad.dtype == np.float32 and y.grad.shape == () and x.grad.dtype == np.float64
    yt = torch.tensor(1.5, dtype=torch.float32, requires_grad=True)
    op(torch.tensor(x.data), yt).sum().backward()
    assert yt.grad.dtype == torch.float32
    assert np.allclose(y.grad.data, yt.grad.numpy(), rtol=1e-6)
