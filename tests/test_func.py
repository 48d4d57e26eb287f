"""torch.func-style transforms: against central differences, analytic derivatives and the lecture's numbers."""

import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course import Tensor, no_grad
from backprop_course import func as F

EPS = 1e-6


def numeric_jacobian(f, *args, argnum=0):
    """Central differences in float64, layout out.shape + x.shape."""
    args = [np.array(a, dtype=np.float64) for a in args]
    x = args[argnum]
    out_shape = np.shape(np.asarray(f(*[Tensor(a) for a in args]).data))
    jac = np.zeros(out_shape + x.shape)
    for idx in np.ndindex(x.shape):
        plus, minus = [a.copy() for a in args], [a.copy() for a in args]
        plus[argnum][idx] += EPS
        minus[argnum][idx] -= EPS
        diff = f(*[Tensor(a) for a in plus]).data - f(*[Tensor(a) for a in minus]).data
        jac[(...,) + idx] = diff / (2 * EPS)
    return jac


def smooth(x, A):
    """A nonlinear vector function with cross terms: y = tanh(x @ A) * sigmoid(x).sum() + exp(x @ A / 4)."""
    z = x @ A
    return z.tanh() * x.sigmoid().sum() + (z / 4).exp()


shapes = st.tuples(st.integers(1, 4), st.integers(1, 4))


@st.composite
def problems(draw):
    n, m = draw(shapes)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal((n, m)), rng


# --- the lecture ----------------------------------------------------------------


def norm_sq(x, W):
    return ((W @ x) ** 2).sum()


W11 = np.array([[0.1, 0.5], [-0.3, 0.8]])
X11 = np.array([0.2, 0.4])


def test_lecture_section_11_gradients():
    gx, gW = F.grad(norm_sq, argnums=(0, 1))(X11, W11)
    np.testing.assert_allclose(gx.data, [-0.112, 0.636], atol=1e-12)
    np.testing.assert_allclose(gW.data, [[0.088, 0.176], [0.104, 0.208]], atol=1e-12)
    np.testing.assert_allclose(F.grad(norm_sq)(X11, W11).data, [-0.112, 0.636], atol=1e-12)


def toy(x):
    return x[0] ** 2 * x[1] + x[1] ** 3


P13 = np.array([1.0, 2.0])
H13 = np.array([[4.0, 2.0], [2.0, 12.0]])


def test_lecture_section_13_higher_order():
    np.testing.assert_allclose(F.grad(toy)(P13).data, [4, 13])
    np.testing.assert_allclose(F.hessian(toy)(P13).data, H13)
    out, (hv,) = F.hvp(toy, (P13,), (np.array([1.0, 0.0]),))
    assert out.item() == 10.0
    np.testing.assert_allclose(hv.data, [4, 2])
    penalty = lambda x: (F.grad(toy)(x) ** 2).sum()  # R = |grad L|^2, so grad R = 2 H grad L
    np.testing.assert_allclose(F.grad(penalty)(P13).data, [84, 328])


def test_every_hessian_composition_agrees_on_the_toy():
    for h in (F.hessian(toy), F.jacrev(F.jacrev(toy)), F.jacfwd(F.jacrev(toy)),
              F.jacrev(F.grad(toy)), F.jacfwd(F.grad(toy))):
        np.testing.assert_allclose(h(P13).data, H13, atol=1e-12)


def test_lecture_section_10_jacobian_sizes():
    assert F.jacobian_nbytes((2, 4), (2, 3)) == 6 * 8 * 8
    assert F.format_bytes(F.jacobian_nbytes((64, 4096), (64, 4096), np.float32)) == "256 GiB"
    assert F.format_bytes(F.jacobian_nbytes((64, 4096), (4096, 4096), np.float32)) == "16 TiB"
    assert F.format_bytes(1536) == "1.5 KiB"
    assert F.format_bytes(12) == "12 bytes"


def test_lecture_section_10_matmul_jacobian_contracts_to_the_vjp():
    x = np.array([[2.0, 1, -3], [-3, 4, 2]])
    W = np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]])
    up = np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]])
    Jx, JW = F.jacrev(lambda x, W: x @ W, argnums=(0, 1))(x, W)
    assert Jx.shape == (2, 4, 2, 3) and JW.shape == (2, 4, 3, 4)
    np.testing.assert_allclose(Jx.data[:, :, 0, 0], [[3, 2, 1, -1], [0, 0, 0, 0]])
    np.testing.assert_allclose(np.tensordot(up, Jx.data, 2), [[0, 16, -9], [-24, 9, -30]])
    np.testing.assert_allclose(np.tensordot(up, JW.data, 2), [[28, 3, -18, 0], [-30, 7, 13, 33], [-22, -7, 17, -15]])
    y, vjp_fn = F.vjp(lambda x, W: x @ W, x, W)
    np.testing.assert_allclose(y.data, [[-1, -1, 2, 6], [5, 2, 11, 7]])
    dx, dW = vjp_fn(up)
    np.testing.assert_allclose(dx.data, [[0, 16, -9], [-24, 9, -30]])


# --- central differences and analytic derivatives ----------------------------------


@settings(max_examples=25, deadline=None)
@given(problems())
def test_jacobians_match_central_differences(problem):
    x, A, _ = problem
    expected_x = numeric_jacobian(smooth, x, A, argnum=0)
    expected_A = numeric_jacobian(smooth, x, A, argnum=1)
    for jac in (F.jacrev, F.jacfwd):
        Jx, JA = jac(smooth, argnums=(0, 1))(x, A)
        np.testing.assert_allclose(Jx.data, expected_x, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(JA.data, expected_A, rtol=1e-6, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(problems())
def test_vjp_and_jvp_are_products_with_the_jacobian(problem):
    x, A, rng = problem
    J = F.jacrev(smooth)(x, A).data
    u = rng.standard_normal(J.shape[0])
    v = rng.standard_normal(x.shape)
    y, vjp_fn = F.vjp(smooth, x, A)
    np.testing.assert_allclose(y.data, smooth(Tensor(x), Tensor(A)).data)
    ux, uA = vjp_fn(u)
    np.testing.assert_allclose(ux.data, u @ J, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(uA.data, np.tensordot(u, numeric_jacobian(smooth, x, A, argnum=1), 1), atol=1e-7)
    y2, Jv = F.jvp(lambda x: smooth(x, Tensor(A)), (x,), (v,))
    np.testing.assert_allclose(y2.data, y.data)
    np.testing.assert_allclose(Jv.data, J @ v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(F.jacfwd(smooth)(x, A).data, J, rtol=1e-10, atol=1e-12)


def quadratic_plus_exp(x, A):
    return (x @ (A @ x)) / 2 + x.exp().sum()


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**16))
def test_hessian_is_analytic_and_matches_differences_of_the_gradient(n, seed):
    rng = np.random.default_rng(seed)
    x, A = rng.standard_normal(n), rng.standard_normal((n, n))
    expected = (A + A.T) / 2 + np.diag(np.exp(x))
    H = F.hessian(quadratic_plus_exp)(x, A).data
    np.testing.assert_allclose(H, expected, rtol=1e-10, atol=1e-12)
    numeric = numeric_jacobian(lambda x, A: F.grad(quadratic_plus_exp)(x, A), x, A)
    np.testing.assert_allclose(H, numeric, rtol=1e-6, atol=1e-7)
    v = rng.standard_normal(n)
    _, (hv,) = F.hvp(lambda x: quadratic_plus_exp(x, Tensor(A)), (x,), (v,))
    np.testing.assert_allclose(hv.data, expected @ v, rtol=1e-10, atol=1e-12)


def test_grad_matches_central_differences_through_softmax_max_and_indexing():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    f = lambda x: (x.log_softmax(axis=1)[np.arange(3), [0, 2, 1]]).sum() + x.max(axis=0).sum() * x[1, 2]
    np.testing.assert_allclose(F.grad(f)(x).data, numeric_jacobian(f, x), atol=1e-7)
    np.testing.assert_allclose(F.hessian(f)(x).data, numeric_jacobian(lambda x: F.grad(f)(x), x), atol=1e-6)


def test_third_derivative_by_nesting_grad():
    d3 = F.grad(F.grad(F.grad(lambda x: (x**4).sum())))
    assert d3(Tensor(2.0)).item() == pytest.approx(48.0)  # d3/dx3 x^4 = 24 x


# --- behaviour -----------------------------------------------------------------------


def test_transforms_are_pure_and_ignore_an_outer_no_grad():
    x = Tensor([1.0, 2.0])
    with no_grad():
        g = F.grad(toy)(x)
    np.testing.assert_allclose(g.data, [4, 13])
    assert x.grad is None and not g.requires_grad


def test_results_stay_differentiable_for_inputs_that_require_grad():
    x = Tensor(P13, requires_grad=True)
    g = F.grad(toy)(x)
    assert g.requires_grad
    (g**2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [84, 328])


def test_vjp_fn_can_be_called_many_times_and_unused_inputs_get_zeros():
    y, vjp_fn = F.vjp(lambda x, z: x * 3, np.ones(2), np.ones(3))
    for k in range(3):
        dx, dz = vjp_fn(np.full(2, float(k)))
        np.testing.assert_allclose(dx.data, 3 * k)
        np.testing.assert_allclose(dz.data, np.zeros(3))


def test_float32_stays_float32_and_numbers_are_accepted():
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert F.grad(lambda x: (x * x).sum())(x).dtype == np.float32
    assert F.jacrev(lambda x: x * x)(x).dtype == np.float32
    assert F.grad(lambda x: x**3)(2).item() == 12.0


def test_repeated_argument_gets_one_gradient_per_position():
    x = Tensor([1.0, 2.0])
    ga, gb = F.grad(lambda a, b: (a * b * b).sum(), argnums=(0, 1))(x, x)
    np.testing.assert_allclose(ga.data, [1, 4])
    np.testing.assert_allclose(gb.data, [2, 8])


# --- the memory guard ------------------------------------------------------------------


def test_memory_guard_fires_before_allocating_the_256_gib_jacobian():
    x = np.zeros((64, 4096), np.float32)
    W = np.zeros((4096, 4096), np.float32)
    for jac in (F.jacrev, F.jacfwd):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            with pytest.raises(MemoryError, match="dy/dx .* would need 256 GiB"):
                jac(lambda x, W: x @ W)(x, W)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 50 * 2**20  # only the forward's (64, 4096) output, never the Jacobian
        assert seconds < 5  # a sanity bound only; the real check is the allocation peak


def test_memory_guard_names_dw_as_16_tib():
    x = np.zeros((64, 4096), np.float32)
    W = np.zeros((4096, 4096), np.float32)
    with pytest.raises(MemoryError, match="dy/dW .* would need 16 TiB"):
        F.jacrev(lambda x, W: x @ W, argnums=1)(x, W)


def test_budget_is_configurable_and_guards_hessian():
    previous = F.set_jacobian_budget(100)
    try:
        with pytest.raises(MemoryError, match="would need 128 bytes"):
            F.jacrev(lambda x: x * 2)(np.ones(4))  # 4 x 4 float64 = 128 bytes
        with pytest.raises(MemoryError, match="would need 128 bytes"):
            F.hessian(lambda x: (x**3).sum())(np.ones(4))
        np.testing.assert_allclose(F.jacrev(lambda x: x * 2)(np.ones(3)).data, 2 * np.eye(3))
    finally:
        assert F.set_jacobian_budget(previous) == 100
    assert F.jacrev(lambda x: x * 2)(np.ones(4)).shape == (4, 4)
    with pytest.raises(ValueError, match="budget"):
        F.set_jacobian_budget(-1)


# --- bad input --------------------------------------------------------------------------


def test_grad_of_a_non_scalar_says_scalar():
    with pytest.raises(ValueError, match=r"scalar.*\(3,\)"):
        F.grad(lambda x: x * 2)(np.ones(3))


def test_wrong_tangent_and_cotangent_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        F.jvp(lambda x: x * 2, (np.ones(2),), (np.ones(3),))
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        F.hvp(lambda x: (x * x).sum(), (np.ones(2),), (np.ones(3),))
    _, vjp_fn = F.vjp(lambda x: x * 2, np.ones(2))
    with pytest.raises(ValueError, match=r"\(2, 1\).*\(2,\)"):
        vjp_fn(np.ones((2, 1)))
    with pytest.raises(ValueError, match="1 primal.*2 tangent"):
        F.jvp(lambda x: x, (np.ones(2),), (np.ones(2), np.ones(2)))


@pytest.mark.parametrize("bad", [np.array([1, 2]), np.array([True]), "x", np.int64(3), None])
def test_non_float_inputs_are_rejected_clearly(bad):
    with pytest.raises(TypeError, match="float"):
        F.grad(lambda x: (x * x).sum())(bad)


def test_argnums_and_return_type_errors():
    with pytest.raises(ValueError, match="argnums=2"):
        F.grad(lambda x, y: (x * y).sum(), argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums"):
        F.grad(lambda x: x, argnums=[0])(1.0)
    with pytest.raises(TypeError, match="must return a Tensor"):
        F.grad(lambda x: 3.0)(1.0)


def test_a_value_is_refused_with_a_pointer_to_backward():
    from backprop_course import Value

    for transform in (F.grad, F.jacrev, F.jacfwd, F.hessian):
        with pytest.raises(TypeError, match=r"is a Value.*func transforms work on Tensors.*\.backward\(\)"):
            transform(lambda x: x * x)(Value(2.0))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, -0.5, True, "1GiB"])
def test_the_budget_must_be_a_finite_non_negative_number(bad):
    with pytest.raises(ValueError, match=r"budget must be a finite non-negative number of bytes, or None"):
        F.set_jacobian_budget(bad)
    assert F.set_jacobian_budget(None) == 2**30  # nothing was changed by the refusals
    F.set_jacobian_budget(2**30)


def test_a_hessian_over_budget_names_the_hessian():
    previous = F.set_jacobian_budget(100)
    try:
        with pytest.raises(MemoryError, match=r"^hessian: d\(dy/dx\)/dx \(shape \(4, 4\)\) would need 128 bytes"):
            F.hessian(lambda x: (x**3).sum())(np.ones(4))
        with pytest.raises(MemoryError, match=r"^hessian: dy/dx \(shape \(4, 10, 4\)\)"):
            F.hessian(lambda x: x.reshape(4, 1) * np.ones(10))(np.ones(4))  # the inner Jacobian is 1280 bytes
    finally:
        F.set_jacobian_budget(previous)


# --- second derivatives through 0-d tensors ---------------------------------------------

def test_grad_of_grad_through_a_0d_tensor():
    t = np.tanh(0.7)
    assert F.grad(F.grad(lambda x: x.tanh()))(Tensor(0.7)).item() == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)
    assert F.grad(F.grad(lambda x: x.tanh()))(Tensor(0.7)).item() == pytest.approx(-0.76723, abs=1e-5)
    assert F.grad(F.grad(lambda x: x.exp()))(Tensor(0.7)).item() == pytest.approx(np.exp(0.7), rel=1e-12)
    s = 1 / (1 + np.exp(-0.7))
    assert F.grad(F.grad(lambda x: x.sigmoid()))(Tensor(0.7)).item() == pytest.approx(s * (1 - s) * (1 - 2 * s))
    assert F.grad(F.grad(lambda x: 1 / x))(Tensor(0.7)).item() == pytest.approx(2 / 0.7**3, rel=1e-12)
    assert F.jacfwd(F.grad(lambda x: x.tanh()))(Tensor(0.7)).item() == pytest.approx(-2 * t * (1 - t * t))


X3 = np.array([0.3, -0.5, 0.4])


def test_jacobian_of_a_gradient_through_a_0d_sum():
    expected = np.exp(X3.sum()) * np.ones((3, 3))
    for jac in (F.jacrev, F.jacfwd):
        np.testing.assert_allclose(jac(F.grad(lambda x: x.sum().exp()))(X3).data, expected, rtol=1e-12)


def test_hessians_through_a_0d_intermediate_are_analytic():
    s, q, ones = X3.sum(), (X3 * X3).sum(), np.ones((3, 3))
    t = np.tanh(s)
    cases = [
        (lambda x: x.sum().tanh(), -2 * t * (1 - t * t) * ones),
        (lambda x: x.sum().exp(), np.exp(s) * ones),
        (lambda x: 1 / (x * x).sum(), -2 * np.eye(3) / q**2 + 8 * np.outer(X3, X3) / q**3),
    ]
    for f, expected in cases:
        np.testing.assert_allclose(F.hessian(f)(X3).data, expected, rtol=1e-12)
        np.testing.assert_allclose(F.jacrev(F.jacrev(f))(X3).data, expected, rtol=1e-12)
