"""torch.func's surface: tuple argnums, pytree inputs and outputs, has_aux, grad_and_value and vmap.

The facts come from torch.func's whirlwind tour and its Jacobians/Hessians
tutorial (a tanh layer, per-sample gradients, batched Jacobians, hvp as the jvp
of the gradient), checked against closed forms and against each other.
"""

import numpy as np
import pytest

from backprop_course import Tensor
from backprop_course import func as F

rng = np.random.default_rng(7)
D = 4
W, B, X = rng.standard_normal((D, D)), rng.standard_normal(D), rng.standard_normal(D)


def predict(weight, bias, x):
    """The tutorial's model: tanh(x @ weight^T + bias)."""
    return (x @ weight.T + bias).tanh()


def predict_jacobian_x(weight, bias, x):
    s = 1 - np.tanh(x @ weight.T + bias) ** 2
    return s[:, None] * weight


def test_the_tutorials_jacobians_agree_in_both_modes_and_with_the_closed_form():
    expected = predict_jacobian_x(W, B, X)
    for jac in (F.jacrev, F.jacfwd):
        np.testing.assert_allclose(jac(predict, argnums=2)(W, B, X).data, expected, rtol=1e-12)
    jw, jb = F.jacrev(predict, argnums=(0, 1))(W, B, X)
    fw, fb = F.jacfwd(predict, argnums=(0, 1))(W, B, X)
    assert jw.shape == (D, D, D) and jb.shape == (D, D)
    np.testing.assert_allclose(fw.data, jw.data, rtol=1e-12, atol=1e-15)
    s = 1 - np.tanh(X @ W.T + B) ** 2
    np.testing.assert_allclose(jb.data, np.diag(s), rtol=1e-12)
    np.testing.assert_allclose(fb.data, np.diag(s), rtol=1e-12)


def test_the_tutorials_hessians_agree_across_compositions():
    h = F.hessian(predict, argnums=2)(W, B, X).data
    assert h.shape == (D, D, D)
    for composed in (F.jacfwd(F.jacfwd(predict, 2), 2), F.jacrev(F.jacrev(predict, 2), 2),
                     F.jacrev(F.jacfwd(predict, 2), 2)):
        np.testing.assert_allclose(composed(W, B, X).data, h, rtol=1e-10, atol=1e-14)
    t = np.tanh(X @ W.T + B)
    expected = np.einsum("i,ij,ik->ijk", -2 * t * (1 - t * t), W, W)
    np.testing.assert_allclose(h, expected, rtol=1e-10, atol=1e-14)


def test_hessian_with_a_tuple_argnums_gives_nested_tuples():
    f = lambda x, y: (x * x * y).sum()  # noqa: E731
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    (hxx, hxy), (hyx, hyy) = F.hessian(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(hxx.data, np.diag(2 * y))
    np.testing.assert_allclose(hxy.data, np.diag(2 * x))
    np.testing.assert_allclose(hyx.data, np.diag(2 * x))
    np.testing.assert_allclose(hyy.data, np.zeros((2, 2)))


def test_batched_jacobians_by_vmap_and_by_the_sum_trick():
    xs = rng.standard_normal((3, D))
    by_vmap = F.vmap(F.jacrev(predict, argnums=2), in_dims=(None, None, 0))(W, B, xs)
    assert by_vmap.shape == (3, D, D)
    for i in range(3):
        np.testing.assert_allclose(by_vmap.data[i], predict_jacobian_x(W, B, xs[i]), rtol=1e-12)
    summed = F.jacrev(lambda x: predict(Tensor(W), Tensor(B), x).sum(axis=0))(xs)  # (D, 3, D)
    np.testing.assert_allclose(summed.data.transpose(1, 0, 2), by_vmap.data, rtol=1e-12)


def test_hvp_is_the_jvp_of_the_gradient():
    f = lambda x: (x.tanh() ** 3).sum()  # noqa: E731
    v = rng.standard_normal(D)
    _, hv = F.jvp(F.grad(f), (X,), (v,))
    np.testing.assert_allclose(hv.data, F.hessian(f)(X).data @ v, rtol=1e-10)
    value, (hv2,) = F.hvp(f, (X,), (v,))
    np.testing.assert_allclose(hv2.data, hv.data, rtol=1e-12)
    assert value.item() == pytest.approx(float((np.tanh(X) ** 3).sum()))


# --- per-sample gradients (the whirlwind tour) -------------------------------------------------


def loss(weights, example, target):
    return ((example @ weights - target) ** 2).mean()


def test_per_sample_gradients_with_vmap_of_grad():
    weights, examples, targets = rng.standard_normal(3), rng.standard_normal((5, 3)), rng.standard_normal(5)
    per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(weights, examples, targets)
    assert per_sample.shape == (5, 3)
    for i in range(5):
        residual = examples[i] @ weights - targets[i]
        np.testing.assert_allclose(per_sample.data[i], 2 * residual * examples[i], rtol=1e-12)


def test_vmap_semantics():
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    np.testing.assert_allclose(F.vmap(lambda a, b: (a * b).sum())(x, y).data, (x * y).sum(1))
    np.testing.assert_allclose(F.vmap(lambda a: a * 2, in_dims=1)(Tensor(x)).data, 2 * x.T)
    np.testing.assert_allclose(F.vmap(lambda a: a * 2, in_dims=1, out_dims=1)(Tensor(x)).data, 2 * x)
    total, doubled = F.vmap(lambda a: (a.sum(), a * 2))(Tensor(x))
    np.testing.assert_allclose(total.data, x.sum(1))
    np.testing.assert_allclose(doubled.data, 2 * x)
    out = F.vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": None},))({"a": Tensor(x), "b": Tensor(y[0])})
    np.testing.assert_allclose(out.data, x + y[0])
    nested = F.vmap(F.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 0))(Tensor(x[0]), Tensor(y[:, 0]))
    np.testing.assert_allclose(nested.data, np.outer(y[:, 0], x[0]))  # (batch of b, batch of a)


def test_vmap_is_differentiable():
    x = rng.standard_normal((3, 2))
    g = F.grad(lambda x: F.vmap(lambda r: r.tanh().sum())(x).sum())(x)
    np.testing.assert_allclose(g.data, 1 - np.tanh(x) ** 2, rtol=1e-12)
    j = F.jacfwd(lambda x: F.vmap(lambda r: (r * r).sum())(x))(x)
    np.testing.assert_allclose(j.data, np.einsum("ij,ik->ijk", np.eye(3), 2 * x), rtol=1e-12)


def test_vmap_bad_input_is_named():
    with pytest.raises(ValueError, match=r"different sizes \[2, 3\]"):
        F.vmap(lambda a, b: a + b)(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="no argument is mapped"):
        F.vmap(lambda a: a, in_dims=None)(np.ones(2))
    with pytest.raises(ValueError, match="in_dims=2 but an argument has shape"):
        F.vmap(lambda a: a, in_dims=2)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="in_dims=.*must be an int, None, or match"):
        F.vmap(lambda a, b: a, in_dims=(0,))(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="randomness"):
        F.vmap(lambda a: a, randomness="sometimes")
    with pytest.raises(ValueError, match="chunk_size"):
        F.jacrev(lambda a: a, chunk_size=0)


# --- pytrees ---------------------------------------------------------------------------------


def test_grad_of_a_dict_of_parameters_is_a_dict():
    params = {"w": np.array([1.0, -2.0]), "b": np.array(0.5)}
    x = np.array([3.0, 4.0])
    f = lambda p: ((p["w"] * Tensor(x)).sum() + p["b"]) ** 2  # noqa: E731
    g = F.grad(f)(params)
    z = params["w"] @ x + 0.5
    assert set(g) == {"w", "b"}
    np.testing.assert_allclose(g["w"].data, 2 * z * x)
    assert g["b"].item() == pytest.approx(2 * z)


def test_tuple_and_list_arguments_get_gradients_of_their_structure():
    f = lambda pair, scale: (pair[0] * pair[1]).sum() * scale  # noqa: E731
    (ga, gb), gs = F.grad(f, argnums=(0, 1))((np.array([1.0, 2.0]), np.array([3.0, 4.0])), 2.0)
    np.testing.assert_allclose(ga.data, [6.0, 8.0])
    np.testing.assert_allclose(gb.data, [2.0, 4.0])
    assert gs.item() == 11.0
    (gl,) = F.grad(lambda xs: xs[0] * xs[1] * 1.0)([np.array(2.0), np.array(5.0)]),
    assert type(gl) is list and [g.item() for g in gl] == [5.0, 2.0]


def test_tuple_and_dict_outputs_in_vjp_jacrev_and_jacfwd():
    x = np.array([0.2, -0.4, 0.9])
    f = lambda x: {"exp": x.exp(), "pair": (x.sum(), x * x)}  # noqa: E731
    out, vjp_fn = F.vjp(f, x)
    np.testing.assert_allclose(out["exp"].data, np.exp(x))
    (g,) = vjp_fn({"exp": np.ones(3), "pair": (np.array(2.0), np.array([1.0, 0.0, 0.0]))})
    np.testing.assert_allclose(g.data, np.exp(x) + 2 + np.array([2 * x[0], 0, 0]))
    for jac in (F.jacrev, F.jacfwd):
        J = jac(f)(x)
        np.testing.assert_allclose(J["exp"].data, np.diag(np.exp(x)), rtol=1e-12)
        np.testing.assert_allclose(J["pair"][0].data, np.ones(3))
        np.testing.assert_allclose(J["pair"][1].data, np.diag(2 * x))
    out, tangent = F.jvp(f, (x,), (np.array([1.0, 0.0, 0.0]),))
    np.testing.assert_allclose(tangent["exp"].data, [np.exp(x[0]), 0, 0])
    assert tangent["pair"][0].item() == 1.0


def test_jvp_with_pytree_primals():
    f = lambda p: p["a"] * p["b"]  # noqa: E731
    primals = ({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])},)
    tangents = ({"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])},)
    out, t = F.jvp(f, primals, tangents)
    np.testing.assert_allclose(out.data, [3.0, 8.0])
    np.testing.assert_allclose(t.data, [3.0, 2.0])


# --- has_aux and grad_and_value ------------------------------------------------------------


def test_grad_has_aux_and_grad_and_value():
    f = lambda x: ((x * x).sum(), {"norm": x.sum()})  # noqa: E731
    x = np.array([1.0, 2.0])
    g, aux = F.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(g.data, 2 * x)
    assert aux["norm"].item() == 3.0 and not aux["norm"].requires_grad
    g, (value, aux) = F.grad_and_value(f, has_aux=True)(x)
    assert value.item() == 5.0 and aux["norm"].item() == 3.0
    g, value = F.grad_and_value(lambda x: (x * x).sum())(x)
    np.testing.assert_allclose(g.data, 2 * x)
    assert value.item() == 5.0 and not value.requires_grad


def test_has_aux_in_vjp_jvp_jacrev_and_jacfwd():
    f = lambda x: (x.exp(), x.sum())  # noqa: E731
    x = np.array([0.1, 0.2])
    out, vjp_fn, aux = F.vjp(f, x, has_aux=True)
    assert aux.item() == pytest.approx(0.3)
    np.testing.assert_allclose(vjp_fn(np.ones(2))[0].data, np.exp(x))
    out, t, aux = F.jvp(f, (x,), (np.ones(2),), has_aux=True)
    np.testing.assert_allclose(t.data, np.exp(x))
    for jac in (F.jacrev, F.jacfwd):
        J, aux = jac(f, has_aux=True)(x)
        np.testing.assert_allclose(J.data, np.diag(np.exp(x)))
        assert aux.item() == pytest.approx(0.3)


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match="has_aux=True, f must return a pair"):
        F.grad(lambda x: (x * x).sum(), has_aux=True)(np.ones(2))


def test_grad_of_a_tuple_output_says_scalar():
    with pytest.raises(ValueError, match="scalar.*2 Tensors"):
        F.grad(lambda x: (x.sum(), x.sum()))(np.ones(2))
