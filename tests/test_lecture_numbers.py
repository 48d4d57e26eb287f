"""The lecture's worked examples (shared/lecture-checklist.md), reproduced by the engine.

Numbers the checklist prints to 4 or 5 decimals are checked rounded, and the
unrounded value is checked against its closed form, so rounding never hides an error.
"""

import math

import numpy as np
import pytest

from backprop_course import Tensor, Value
from backprop_course.autodiff import node_vjp
from backprop_course.ops import Maximum


def exact(x):
    return pytest.approx(x, rel=1e-12, abs=1e-15)


# section 2 ----------------------------------------------------------------------
def test_section2_derivative_as_sensitivity():
    x, y = Value(4.0), Value(-3.0)
    f = x * y
    f.backward()
    assert (f.data, x.grad, y.grad) == (-12.0, -3.0, 4.0)
    a, b = Value(4.0), Value(2.0)
    Maximum.apply(a, b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


# section 3 ----------------------------------------------------------------------
def test_section3_simple_example():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    assert (q.data, f.data) == (3.0, -12.0)
    f.backward()
    assert f.grad == 1.0
    assert z.grad == 3.0  # df/dz = q
    assert q.grad == -4.0  # df/dq = z
    assert x.grad == -4.0 and y.grad == -4.0  # downstream = local (1) x upstream (-4)


# section 5 ----------------------------------------------------------------------
def test_section5_sigmoid_neuron_every_intermediate():
    w0, x0, w1, x1, w2 = Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0), Value(-3.0)
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    neg = s3 * -1
    e = neg.exp()
    d = e + 1
    f = 1 / d
    forward = [s0, s1, s2, s3, neg, e, d, f]
    assert [round(v.data, 4) for v in forward] == [-2, 6, 4, 1, -1, 0.3679, 1.3679, 0.7311]
    e_exact = math.exp(-1)
    assert e.data == exact(e_exact)
    assert d.data == exact(1 + e_exact)
    assert f.data == exact(1 / (1 + e_exact))

    f.backward()
    backward = [f, d, e, neg, s3, s2, s1, s0]
    assert [round(v.grad, 4) for v in backward] == [1, -0.5344, -0.5344, -0.1966, 0.1966, 0.1966, 0.1966, 0.1966]
    local = e_exact / (1 + e_exact) ** 2  # sigma'(1) = (1 - sigma) sigma
    assert d.grad == exact(-1 / (1 + e_exact) ** 2)
    assert e.grad == exact(-1 / (1 + e_exact) ** 2)
    assert neg.grad == exact(-local)
    for node in (s3, s2, s1, s0):
        assert node.grad == exact(local)

    results = [w0.grad, x0.grad, w1.grad, x1.grad, w2.grad]
    assert [round(g, 4) for g in results] == [-0.1966, 0.3932, -0.3932, -0.5898, 0.1966]
    assert results == [exact(local * k) for k in (-1, 2, -2, -3, 1)]
    assert round(x0.grad, 2) == 0.39  # not the slides' 0.4, which multiplies a rounded 0.2


def test_section6_sigmoid_as_one_primitive_gives_the_same_numbers():
    w0, x0, w1, x1, w2 = Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0), Value(-3.0)
    s3 = w0 * x0 + w1 * x1 + w2
    L = s3.sigmoid()
    L.backward()
    local = (1 - L.data) * L.data
    assert round(local, 5) == 0.19661 and s3.grad == exact(local)
    assert [round(g, 4) for g in (w0.grad, x0.grad, w1.grad, x1.grad, w2.grad)] == [
        -0.1966, 0.3932, -0.3932, -0.5898, 0.1966]


# section 7 ----------------------------------------------------------------------
def test_section7_gate_patterns():
    a, b = Value(3.0), Value(4.0)
    out = a + b
    assert out.data == 7.0 and node_vjp(out, 2.0) == [2.0, 2.0]  # add distributes
    a, b = Value(2.0), Value(3.0)
    out = a * b
    assert out.data == 6.0 and node_vjp(out, 5.0) == [15.0, 10.0]  # mul swaps
    a, b = Value(4.0), Value(5.0)
    out = Maximum.apply(a, b)
    assert out.data == 5.0 and node_vjp(out, 9.0) == [0.0, 9.0]  # max routes
    x = Value(7.0)
    (4 * x + 2 * x).backward()
    assert x.grad == 6.0  # copy adds the upstream gradients


def test_section7_max_ties_first_argument_wins():
    a, b = Value(3.0), Value(3.0)
    Maximum.apply(a, b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_section7_circuit():
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    xy = x * y
    m = Maximum.apply(z, w)
    s = xy + m
    f = 2 * s
    assert (xy.data, m.data, s.data, f.data) == (-12.0, 2.0, -10.0, -20.0)
    f.backward()
    assert (x.grad, y.grad, z.grad, w.grad) == (-8.0, 6.0, 2.0, 0.0)


def test_section7_staged_example_adds_at_forks():
    x, y = Value(3.0), Value(-4.0)
    f = (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)
    f.backward()
    assert round(f.data, 5) == 1.54564
    assert round(x.grad, 5) == 2.05957
    assert round(y.grad, 5) == 1.59223


# section 9 ----------------------------------------------------------------------
def test_section9_relu_vector_jacobian_product():
    x = Tensor([1.0, -2.0, 3.0, -1.0], requires_grad=True)
    y = x.relu()
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 3.0, 0.0])
    y.backward(np.array([4.0, -1.0, 5.0, 9.0]))
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 5.0, 0.0])
    assert x.grad.shape == x.shape


# section 10 ---------------------------------------------------------------------
X = [[2.0, 1.0, -3.0], [-3.0, 4.0, 2.0]]
W = [[3.0, 2.0, 1.0, -1.0], [2.0, 1.0, 3.0, 2.0], [3.0, 2.0, 1.0, -2.0]]
DY = [[2.0, 3.0, -3.0, 9.0], [-8.0, 1.0, 4.0, 6.0]]


def test_section10_matmul_gradients():
    x, w = Tensor(X, requires_grad=True), Tensor(W, requires_grad=True)
    y = x @ w
    np.testing.assert_array_equal(y.data, [[-1, -1, 2, 6], [5, 2, 11, 7]])
    assert not np.array_equal(y.data, [[13, 9, -2, -6], [5, 2, 17, 1]])  # the slides' misprint
    y.backward(np.array(DY))
    np.testing.assert_array_equal(x.grad.data, [[0, 16, -9], [-24, 9, -30]])
    np.testing.assert_array_equal(w.grad.data, [[28, 3, -18, 0], [-30, 7, 13, 33], [-22, -7, 17, -15]])
    assert x.grad.data[0, 0] == 0.0  # 3*2 + 2*3 + 1*(-3) + (-1)*9
    assert x.grad.data[1, 2] == -30.0
    assert x.grad.shape == x.shape and w.grad.shape == w.shape


def test_section10_one_entry_through_its_local_gradient_slice():
    x = Tensor(X, requires_grad=True)
    y = x @ Tensor(W)
    (y * Tensor(DY)).sum().backward()
    local = np.zeros((2, 4))
    local[0] = W[0]  # dy/dx11: only row 1 of y depends on x11, through W's first row
    assert float((local * np.array(DY)).sum()) == 0.0 == x.grad.data[0, 0]


# section 11 ---------------------------------------------------------------------
def test_section11_vectorized_example():
    w = Tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True)
    x = Tensor([0.2, 0.4], requires_grad=True)
    q = w @ x
    f = (q * q).sum()
    np.testing.assert_allclose(q.data, [0.22, 0.26], atol=1e-15)
    assert f.item() == pytest.approx(0.116, abs=1e-15)
    f.backward()
    np.testing.assert_allclose(q.grad.data, [0.44, 0.52], atol=1e-15)
    np.testing.assert_allclose(w.grad.data, [[0.088, 0.176], [0.104, 0.208]], atol=1e-15)
    np.testing.assert_allclose(x.grad.data, [-0.112, 0.636], atol=1e-15)


# section 13 ---------------------------------------------------------------------
def toy_loss(x):
    return x[0] ** 2 * x[1] + x[1] ** 3


def test_section13_gradient_and_hessian_vector_product():
    x = Tensor([1.0, 2.0], requires_grad=True)
    toy_loss(x).backward(create_graph=True)
    g = x.grad
    np.testing.assert_array_equal(g.data, [4.0, 13.0])
    assert g.requires_grad  # the gradient is itself a graph
    x.grad = None
    (g * Tensor([1.0, 0.0])).sum().backward()  # d/dx [grad . v] = H v
    np.testing.assert_array_equal(x.grad.data, [4.0, 2.0])


def test_section13_full_hessian_row_by_row():
    hessian = []
    for i in range(2):
        x = Tensor([1.0, 2.0], requires_grad=True)
        toy_loss(x).backward(create_graph=True)
        g = x.grad
        x.grad = None
        g[i].backward()
        hessian.append(x.grad.data)
    np.testing.assert_array_equal(hessian, [[4.0, 2.0], [2.0, 12.0]])


def test_section13_gradient_norm_penalty():
    x = Tensor([1.0, 2.0], requires_grad=True)
    toy_loss(x).backward(create_graph=True)
    g = x.grad
    x.grad = None
    penalty = (g * g).sum()
    assert penalty.item() == 4.0**2 + 13.0**2
    penalty.backward()
    np.testing.assert_array_equal(x.grad.data, [84.0, 328.0])  # 2 H grad


def test_section10_square_layer_shapes_admit_the_transpose():
    """With D = M, dL/dyᵀ·x has W's shape too; only the index form picks xᵀ·dL/dy."""
    x = np.array([[1.0, 2.0, 0.0], [-1.0, 3.0, 2.0]])
    g = np.array([[2.0, -1.0, 1.0], [0.0, 1.0, 3.0]])
    w = Tensor(np.eye(3), requires_grad=True)
    (Tensor(x) @ w).backward(g)
    assert (g.T @ x).shape == w.shape
    np.testing.assert_array_equal(w.grad.data, np.einsum("nd,nm->dm", x, g))
    np.testing.assert_array_equal(w.grad.data.T, g.T @ x)
    assert not np.array_equal(w.grad.data, g.T @ x)


# section 14 ---------------------------------------------------------------------
def test_section14_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    from backprop_course.nn import cross_entropy

    logits = np.array([[1.0, -0.5], [0.2, 0.3], [-1.0, 2.0], [0.7, 0.7]])  # a tie in the last row
    labels = np.array([0, 1, 0, 1])
    z = Tensor(logits, requires_grad=True)
    cross_entropy(z, labels).backward()
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad.data, (p - np.eye(2)[labels]) / 4, rtol=1e-12, atol=1e-15)
    assert np.abs(z.grad.data.sum(axis=1)).max() < 1e-15  # each row sums to 0: the max-shift gets no gradient
