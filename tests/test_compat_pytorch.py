"""Code written for PyTorch's autograd runs on Tensor: facts from its autograd tutorials, restated."""

import numpy as np
import pytest

import backprop_course as bc
from backprop_course import Tensor, func, no_grad


def test_gentle_introduction_external_gradient():
    a = bc.tensor([2.0, 3.0], requires_grad=True)
    b = bc.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    Q.backward(gradient=bc.tensor([1.0, 1.0]))
    assert (9 * a**2 == a.grad).data.tolist() == [True, True]
    assert (-2 * b == b.grad).all()
    assert a.grad.data.tolist() == [36.0, 81.0] and b.grad.data.tolist() == [-12.0, -8.0]


def test_automatic_differentiation_tutorial_facts():
    bc.manual_seed(0)
    x, y = bc.ones(5), bc.zeros(3)
    w, b = bc.randn(5, 3, requires_grad=True), bc.randn(3, requires_grad=True)
    z = x @ w + b
    p = z.sigmoid()
    loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
    assert z.grad_fn.name() == "AddBackward0" and loss.grad_fn.name() == "NegBackward0"
    assert "grad_fn=<AddBackward0>" in repr(z)
    loss.backward()
    s = 1 / (1 + np.exp(-z.data))
    np.testing.assert_allclose(w.grad.data, np.outer(np.ones(5), s / 3), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, s / 3, rtol=1e-12)
    assert z.requires_grad
    with no_grad():
        assert not (x @ w + b).requires_grad
    assert not z.detach().requires_grad and z.detach().is_leaf and w.is_leaf and not z.is_leaf


def test_accumulation_and_zero_():
    inp = bc.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(bc.ones_like(out), retain_graph=True)
    first = 2 * (np.eye(4, 5) + 1)
    np.testing.assert_array_equal(inp.grad.data, first)
    out.backward(bc.ones_like(out), retain_graph=True)
    np.testing.assert_array_equal(inp.grad.data, 2 * first)
    inp.grad.zero_()
    out.backward(bc.ones_like(out), retain_graph=True)
    np.testing.assert_array_equal(inp.grad.data, first)


def test_a_graph_that_saved_nothing_can_be_walked_twice():
    x = bc.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.data.tolist() == [2.0, 2.0]
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="second time"):
        z.backward()


def test_autograd_grad_and_retain_grad():
    x = bc.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    s = y.sum()
    (g,) = bc.autograd.grad(s, x, create_graph=True)
    assert g.data.tolist() == [2.0, 4.0, 6.0] and x.grad is None
    (h,) = bc.autograd.grad(g.sum(), x)
    assert h.data.tolist() == [2.0, 2.0, 2.0]
    s.backward()
    assert y.grad.data.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="not used"):
        bc.autograd.grad((x * 2).sum(), [x, bc.tensor([1.0], requires_grad=True)])


def test_pytorch_names_on_tensor():
    t = bc.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    assert t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6 and t.dim() == 2
    assert t.sum(dim=0, keepdim=True).shape == (1, 3) and t.mean(dim=1).shape == (2,)
    assert t.view(3, 2).shape == (3, 2) and t.flatten().shape == (6,) and t.t().shape == (3, 2)
    assert t.unsqueeze(0).shape == (1, 2, 3) and t.unsqueeze(0).squeeze().shape == (2, 3)
    assert t.min().item() == -6.0 and t.argmax().item() == 4 and t.argmax(dim=1).data.tolist() == [2, 1]
    assert t.abs().data.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t.clamp(min=-1, max=1).data.tolist() == [[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]]
    assert bc.tensor([3.0, 4.0]).norm().item() == 5.0
    assert (t > 0).dtype == np.bool_ and (t > 0).data.sum() == 3
    assert len({t, t.clone()}) == 2  # identity hashing, as PyTorch
    c = t.clone()
    assert c.data is not t.data and (c == t).all()
    assert bc.stack([t, t]).shape == (2, 2, 3) and bc.cat([t, t], dim=1).shape == (2, 6)
    assert bc.zeros(2, 3).shape == (2, 3) and bc.ones((2,)).dtype == np.float64
    bc.manual_seed(1)
    a = bc.rand(3)
    bc.manual_seed(1)
    assert (bc.rand(3) == a).all() and isinstance(bc.nn.Linear(2, 3), bc.nn.Module)


def test_requires_grad_underscore_and_leaf_rules():
    t = Tensor([1.0, 2.0]).requires_grad_()
    assert t.requires_grad and t.is_leaf
    with pytest.raises(TypeError, match="only float tensors"):
        Tensor([True, False]).requires_grad_()


# A Function with a non-tensor argument, written as PyTorch's "Extending PyTorch" page writes one:
# backward returns one gradient per argument of forward, None for the constant.
class MulConstant(bc.Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class CubeConstant(bc.Function):
    """c · x³, the constant first (so positions differ from the node order), with a PyTorch-style
    tangent rule: one tangent per argument of forward, None for c."""

    @staticmethod
    def forward(ctx, c, x):
        ctx.c = c
        ctx.save_for_backward(x)
        return c * x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (False, True)  # one per argument of forward, as in PyTorch
        return None, g * 3 * ctx.c * x**2

    @staticmethod
    def jvp(ctx, c_t, x_t):
        assert c_t is None and ctx.needs_input_grad == (False, True)
        (x,) = ctx.saved_tensors
        return 3 * ctx.c * x**2 * x_t


def test_a_pytorch_function_with_a_constant_argument():
    x = bc.tensor([1.0, -2.0, 0.5], requires_grad=True)
    assert bc.gradcheck(lambda t: MulConstant.apply(t, 3.0), (x,))
    assert bc.gradcheck(lambda t: CubeConstant.apply(2.0, t), (x,))
    v = bc.Value(1.5)
    MulConstant.apply(v, -2.0).backward()
    assert v.grad == -2.0


def test_second_order_through_a_function_with_a_constant_argument():
    x0 = np.array([1.0, -2.0, 0.5])
    x = bc.tensor(x0, requires_grad=True)
    CubeConstant.apply(2.0, x).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    eps = 1e-6  # central differences of the first derivative, 6x², in float64
    numeric = (6 * (x0 + eps) ** 2 - 6 * (x0 - eps) ** 2) / (2 * eps)
    np.testing.assert_allclose(x.grad.data, numeric, rtol=1e-6)


def test_a_gradient_for_a_constant_argument_is_refused():
    # as PyTorch refuses it: here the gradients are out of order, and 2·c·x would land on x
    class Swapped(bc.Function):
        @staticmethod
        def forward(ctx, c, x):
            ctx.save_for_backward(c, x)
            return c * x * x

        @staticmethod
        def backward(ctx, g):
            c, x = ctx.saved_tensors
            return g * 2 * c * x, g * x * x

    with pytest.raises(ValueError, match="gradient for input 0 of forward, a constant"):
        Swapped.apply(2.0, bc.Value(3.0)).backward()


def test_a_backward_with_the_wrong_number_of_gradients_names_both_ways():
    class Three(bc.Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    with pytest.raises(ValueError, match=r"1 Value/Tensor input\(s\) and 1 other argument.*or one per argument"):
        Three.apply(bc.Value(2.0), 3.0).backward()


def test_a_pytorch_tangent_rule_gets_one_tangent_per_argument():
    x0 = np.array([1.0, -2.0, 0.5])
    jac = func.jacfwd(lambda t: CubeConstant.apply(2.0, t))(Tensor(x0)).data
    eps = 1e-6  # central differences in float64
    numeric = np.stack([(2 * (x0 + eps * e) ** 3 - 2 * (x0 - eps * e) ** 3) / (2 * eps) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(jac, numeric, rtol=1e-6)

