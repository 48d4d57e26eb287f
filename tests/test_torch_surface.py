"""The PyTorch surface against PyTorch itself: one program per case, run on this library and on torch.

Each case is written once, against a small namespace `L` that is either this
library or torch (float64 tensors, `autograd`, `func`), and both answers are
compared. Where this library refuses a call, the case states the message, and
(when torch refuses too) checks that torch does.
"""

import numpy as np
import pytest

import backprop_course as bc
from backprop_course import func

torch = pytest.importorskip("torch")
# torch.func warns about its own use of torch.jit.script
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


class Ours:
    name = "ours"
    no_grad = staticmethod(bc.no_grad)
    autograd, func = bc.autograd, func
    cat, stack = staticmethod(bc.cat), staticmethod(bc.stack)

    @staticmethod
    def tensor(data, requires_grad=False):
        return bc.tensor(data, requires_grad=requires_grad)


class Torch:
    name = "torch"
    autograd, func = torch.autograd, torch.func
    cat, stack = staticmethod(torch.cat), staticmethod(torch.stack)

    @staticmethod
    def tensor(data, requires_grad=False):
        return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


def plain(result):
    """A case's answer as nested lists of numbers, whichever library computed it."""
    if isinstance(result, tuple | list):
        return [plain(r) for r in result]
    if result is None:
        return None
    if isinstance(result, torch.Tensor):
        return result.detach().numpy()
    if isinstance(result, bc.Tensor):
        return result.data
    return np.asarray(result)


def same(ours, theirs):
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            same(a, b)
    elif theirs is None:
        assert ours is None
    else:
        assert np.shape(ours) == np.shape(theirs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, equal_nan=True)


# --- autograd.grad -------------------------------------------------------------------------------


def grad_total_derivative(L):
    x = L.tensor([3.0, -1.0], requires_grad=True)
    y = 2 * x
    return L.autograd.grad((y * x).sum(), [x, y])


def grad_through_an_input_to_another(L):
    x = L.tensor([0.5, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * y + x).sum()
    return L.autograd.grad(z, [y, x], create_graph=True)


def grad_keeps_the_graph_below_the_inputs(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (gy,) = L.autograd.grad((y.exp() * 3).sum(), y)
    (y * y).sum().backward()  # the graph below y was not walked, so not freed
    return gy, x.grad


def grad_of_an_infinite_output(L):
    x = L.tensor([0.0, 2.0], requires_grad=True)
    return L.autograd.grad(x.log().sum(), x)


def grad_of_a_nan_output(L):
    x = L.tensor([-1.0, 2.0], requires_grad=True)
    return L.autograd.grad(x.sqrt().sum(), x)


def grad_second_order_through_two_inputs(L):
    x = L.tensor([1.5, -0.5], requires_grad=True)
    y = x * x
    (gx,) = L.autograd.grad((y * x).sum(), x, create_graph=True)
    return L.autograd.grad(gx.sum(), x)


# --- transforms of a function that closes over a parameter ---------------------------------------
# Their results stay connected to the parameter, as torch.func's do: a loss made of them trains it.


def _parameter(L):
    return L.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)


def _v(L):
    return L.tensor([0.5, -2.0])


def _trains(W, result):
    """W's gradient from a loss that uses a transform's result and W directly."""
    (result.sum() + (W * W).sum()).backward()
    return W.grad


def func_grad_keeps_the_parameter(L):
    W = _parameter(L)
    g = L.func.grad(lambda v: ((W @ v) ** 2).sum())(_v(L))
    return g, _trains(W, g)


def func_grad_alone_trains_the_parameter(L):
    W = _parameter(L)
    g = L.func.grad(lambda v: ((W @ v) ** 2).sum())(_v(L))
    g.sum().backward()
    return W.grad


def func_grad_and_value_keeps_the_parameter(L):
    W = _parameter(L)
    g, value = L.func.grad_and_value(lambda v: ((W @ v) ** 3).sum())(_v(L))
    return value, _trains(W, g + value)


def func_grad_aux_keeps_the_parameter(L):
    W = _parameter(L)
    _, aux = L.func.grad(lambda v: (((W @ v) ** 2).sum(), W @ v), has_aux=True)(_v(L))
    return _trains(W, aux)


def func_vjp_keeps_the_parameter(L):
    W = _parameter(L)
    out, vjp_fn = L.func.vjp(lambda v: (W @ v).tanh(), _v(L))
    (g,) = vjp_fn(L.tensor([1.0, -3.0]))
    return g, _trains(W, g * out)


def func_jacrev_keeps_the_parameter(L):
    W = _parameter(L)
    J = L.func.jacrev(lambda v: (W @ v).tanh())(_v(L))
    return J, _trains(W, J * J)


def func_vmap_of_grad_keeps_the_parameter(L):
    W = _parameter(L)
    g = L.func.vmap(L.func.grad(lambda v: ((W @ v) ** 2).sum()))(L.stack([_v(L), 2 * _v(L)]))
    return g, _trains(W, g)


def func_jacfwd_and_hessian_keep_the_parameter(L):
    W = _parameter(L)
    J = L.func.jacfwd(lambda v: (W @ v).sin())(_v(L))
    H = L.func.hessian(lambda v: ((W @ v) ** 3).sum())(_v(L))
    return J, H, _trains(W, J + H)


# --- vmap ----------------------------------------------------------------------------------------


def vmap_of_an_empty_batch(L):
    return L.func.vmap(lambda v: v * 2)(L.tensor(np.zeros((0, 2)))), L.func.vmap(lambda v: v.sum())(
        L.tensor(np.zeros((0, 3))))


def vmap_passes_keyword_arguments_unbatched(L):
    return L.func.vmap(lambda v, scale=1.0: v * scale)(L.tensor([[0.0, 1.0], [2.0, 3.0]]), scale=L.tensor([1.0, 10.0]))


def vmap_out_dims_none_of_a_constant(L):
    return L.func.vmap(lambda v: L.tensor([1.0, 2.0]) * 3, out_dims=None)(L.tensor([[0.0, 1.0], [2.0, 3.0]]))


def vmap_out_dims_none_of_a_parameter(L):
    W = _parameter(L)
    out = L.func.vmap(lambda v: (W * 2).sum(), out_dims=None)(L.tensor([[0.0, 1.0], [2.0, 3.0]]))
    return out, _trains(W, out)


# --- PyTorch's spellings mean what they mean in PyTorch -------------------------------------------


def _matrix(L):
    return L.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], requires_grad=True)


def max_over_a_dim_gives_values_and_indices(L):
    x = _matrix(L)
    values, indices = x.max(1)
    (values * L.tensor([1.0, 10.0])).sum().backward()
    return values, indices, x.max(1)[0], x.max(dim=1).values, x.grad


def min_over_a_dim_gives_values_and_indices(L):
    x = _matrix(L)
    v, i = x.min(dim=1, keepdim=True)
    (v * L.tensor([[1.0], [10.0]])).sum().backward()
    return v, i, x.min(0).indices, x.grad


def max_and_min_of_everything_and_of_another_tensor(L):
    x = L.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 6.0]], requires_grad=True)  # no ties: their rules differ by choice
    other = L.tensor([3.0, 3.0, 3.0])
    (x.max() + 10 * x.min() + (x.max(other) * 100 + x.min(other)).sum()).backward()
    return x.max(), x.min(), x.max(other), x.min(other), x.grad


def transpose_swaps_two_dims(L):
    x = L.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    m = _matrix(L)
    out = [m.transpose(0, 1), m.transpose(1, 0), x.transpose(0, 1), x.transpose(0, 2), x.transpose(-1, 0),
           x.transpose(1, 1), L.tensor(2.0).transpose(0, -1), L.tensor([1.0, 2.0]).transpose(0, -1)]
    (x.transpose(0, 2) * L.tensor(np.arange(24.0).reshape(4, 3, 2))).sum().backward()
    return out + [x.grad]


def sum_and_mean_over_dim_nothing_reduce_everything(L):
    x = _matrix(L)
    (x.sum(dim=()) + x.mean(dim=())).backward()
    return x.sum(dim=()), x.mean(dim=()), x.sum(dim=(), keepdim=True), x.grad


# --- singular points ------------------------------------------------------------------------------


def pow_of_tensors_at_base_zero(L):
    x = L.tensor([0.0, 0.0, 0.0, 2.0, -2.0, 0.0, 3.0, float("nan")], requires_grad=True)
    y = L.tensor([0.0, 0.5, 2.0, 0.0, 2.0, -1.0, 1.5, 0.0], requires_grad=True)
    (x**y).sum().backward()
    return x**y, x.grad, y.grad


def pow_of_tensors_second_order_away_from_zero(L):
    x = L.tensor([0.5, 2.0], requires_grad=True)
    y = L.tensor([3.0, -1.5], requires_grad=True)
    gx, gy = L.autograd.grad((x**y).sum(), [x, y], create_graph=True)
    return gx, gy, L.autograd.grad((gx + gy).sum(), [x, y])


def pow_zero_under_an_infinite_gradient(L):
    x = L.tensor([1.0, 0.0, -2.0], requires_grad=True)
    (x**0 * L.tensor([float("inf"), 1.0, float("nan")])).sum().backward()
    return x.grad


def norm_at_zero_and_over_a_dim(L):
    x = L.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    z = L.tensor([0.0, 0.0, 0.0], requires_grad=True)
    (x.norm(dim=1) * L.tensor([1.0, 2.0])).sum().backward()
    z.norm().backward()
    return x.norm(), x.norm(dim=1), x.norm(dim=0, keepdim=True), x.norm(2, 1), x.grad, z.grad


def norm_second_order_and_forward_mode(L):
    x = L.tensor([3.0, -4.0, 1.0])
    return (L.func.hessian(lambda v: v.norm())(x), L.func.jvp(lambda v: v.norm(), (x,), (L.tensor([1.0, 2.0, 3.0]),)),
            L.func.jacfwd(lambda v: v.reshape(3, 1).norm(dim=1))(x), L.tensor([[1.0, 2.0]]).norm(dim=()))


def norm_of_special_values(L):
    return L.tensor([float("inf"), 1.0]).norm(), L.tensor(np.zeros((0, 2))).norm(), L.tensor([1.0, float("nan")]).norm()


# --- PyTorch's forms that gave raw errors ----------------------------------------------------------


def reductions_over_an_empty_dim(L):
    z = L.tensor(np.zeros((2, 0)), requires_grad=True)
    e = L.tensor(np.zeros((0, 3)))
    return z.softmax(dim=1), z.log_softmax(dim=1), e.softmax(dim=1), e.max(1).values, e.min(dim=1).indices


def reductions_of_a_0d_tensor_over_its_dim(L):
    s = L.tensor(3.0, requires_grad=True)
    (s.sum(0) + s.mean(dim=-1) + s.max(0).values + s.min(-1)[0] + s.norm(dim=0)).backward()
    return s.sum(0), s.mean(dim=-1), s.max(0), s.min(-1, keepdim=True), s.argmax(0), s.grad


def softmax_over_dim(L):
    x = L.tensor([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]], requires_grad=True)
    w = L.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    ((x.softmax(dim=0) + x.log_softmax(dim=1) + x.softmax(-1)) * w).sum().backward()
    return x.softmax(dim=0), x.log_softmax(dim=1), x.grad


def flatten_and_squeeze(L):
    x = L.tensor(np.arange(24.0).reshape(2, 3, 4))
    y = L.tensor(np.zeros((1, 2, 1)))
    s = L.tensor(3.0)
    return (x.flatten(1), x.flatten(0, 1), x.flatten(-2), x.flatten(), s.flatten(), s.flatten(0), s.squeeze(0),
            s.squeeze(-1), y.squeeze((0, 2)), y.squeeze((0, 1)), y.squeeze(), y.squeeze(1),
            L.tensor(np.zeros((0, 3, 2))).flatten(1))


def clamp_between_tensors(L):
    x = L.tensor([1.0, 5.0, -3.0, 2.0], requires_grad=True)
    low = L.tensor([0.0, 0.0, 0.0, 0.0], requires_grad=True)
    high = L.tensor([2.0, 2.0, 2.0, 2.0], requires_grad=True)
    out = x.clamp(min=low, max=high)
    (out * L.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    # (at a tie torch's tangent rule takes the bound's tangent, its backward x's: off the ties here)
    only_max = L.func.jvp(lambda v, h: v.clamp(max=h), (L.tensor([1.0, 5.0, -3.0, 2.5]), high.detach()),
                          (L.tensor([1.0, 1.0, 1.0, 1.0]), L.tensor([10.0, 10.0, 10.0, 10.0])))
    return out, x.grad, low.grad, high.grad, only_max


def no_grad_as_a_decorator_without_parentheses(L):
    x = L.tensor([1.0], requires_grad=True)
    off = (L.no_grad if L is Ours else torch.no_grad)(lambda: x * 2)
    on = (bc.enable_grad if L is Ours else torch.enable_grad)(lambda: x * 2)
    return float(off().requires_grad), float(on().requires_grad), off()


CASES = [
    grad_total_derivative,
    grad_through_an_input_to_another,
    grad_keeps_the_graph_below_the_inputs,
    grad_of_an_infinite_output,
    grad_of_a_nan_output,
    grad_second_order_through_two_inputs,
    func_grad_keeps_the_parameter,
    func_grad_alone_trains_the_parameter,
    func_grad_and_value_keeps_the_parameter,
    func_grad_aux_keeps_the_parameter,
    func_vjp_keeps_the_parameter,
    func_jacrev_keeps_the_parameter,
    func_vmap_of_grad_keeps_the_parameter,
    func_jacfwd_and_hessian_keep_the_parameter,
    vmap_of_an_empty_batch,
    vmap_passes_keyword_arguments_unbatched,
    vmap_out_dims_none_of_a_constant,
    vmap_out_dims_none_of_a_parameter,
    max_over_a_dim_gives_values_and_indices,
    min_over_a_dim_gives_values_and_indices,
    max_and_min_of_everything_and_of_another_tensor,
    transpose_swaps_two_dims,
    sum_and_mean_over_dim_nothing_reduce_everything,
    pow_of_tensors_at_base_zero,
    pow_of_tensors_second_order_away_from_zero,
    pow_zero_under_an_infinite_gradient,
    norm_at_zero_and_over_a_dim,
    norm_second_order_and_forward_mode,
    norm_of_special_values,
    reductions_over_an_empty_dim,
    reductions_of_a_0d_tensor_over_its_dim,
    softmax_over_dim,
    flatten_and_squeeze,
    clamp_between_tensors,
    no_grad_as_a_decorator_without_parentheses,
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(0) and sqrt(-1), on purpose
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_same_answer_as_torch(case):
    same(plain(case(Ours)), plain(case(Torch)))


def test_pow_of_tensors_second_order_at_exponent_zero_is_exact():
    """d/dy (y·x^(y-1)) = x^(y-1) at y = 0: PyTorch masks the whole x-slope there, and so gives 0 for it."""
    x, y = bc.tensor([2.0], requires_grad=True), bc.tensor([0.0], requires_grad=True)
    gx, gy = bc.autograd.grad((x**y).sum(), [x, y], create_graph=True)
    assert gx.item() == 0.0 and gy.item() == np.log(2.0)
    ggx, ggy = bc.autograd.grad(gx.sum(), [x, y])
    assert ggx.item() == 0.0 and ggy.item() == 0.5


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_norm_of_tiny_and_huge_entries_is_exact(scale):
    """A course choice: the norm is scaled by its largest entry, so neither the squares nor the slope under- or
    overflows (PyTorch's float64 norm gives 0 and inf here, with slope 0)."""
    x = bc.tensor([3.0 * scale, 4.0 * scale], requires_grad=True)
    n = x.norm()
    n.backward()
    np.testing.assert_allclose(n.item(), 5.0 * scale, rtol=1e-15)
    np.testing.assert_allclose(x.grad.data, [0.6, 0.8], rtol=1e-15)


# --- Value ** ...: IEEE's infinities, as PyTorch gives, where Python's floats raise -----------------
# Each case builds its leaves with `v` and is compared with torch on its output and every leaf's gradient.

VALUE_POWERS = {
    "zero to a negative power": lambda v: v(0.0) ** -1,
    "negative zero to an odd negative power": lambda v: v(-0.0) ** -3,
    "zero to a negative even power": lambda v: v(0.0) ** -2.0,
    "overflow": lambda v: v(10.0) ** 400,
    "negative overflow": lambda v: v(-10.0) ** 401,
    "overflow in backward only": lambda v: v(1e-200) ** -1.5,
    "a number to the power of a Value": lambda v: 0 ** v(0.5),
    "overflowing 2 ** Value": lambda v: 2 ** v(2000.0),
    "zero to a Value power": lambda v: v(0.0) ** v(0.5),
    "zero to a Value zero": lambda v: v(0.0) ** v(0.0),
    "zero to a negative Value": lambda v: v(0.0) ** v(-1.0),
    "zero to the power 0.5": lambda v: v(0.0) ** 0.5,
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", VALUE_POWERS.values(), ids=VALUE_POWERS.keys())
def test_value_powers_as_torch(case):
    def run(V):
        leaves = []

        def leaf(x):
            leaves.append(V(x))
            return leaves[-1]

        out = case(leaf)
        out.backward()
        return [float(out.data)] + [float(x.grad) for x in leaves]

    ours = run(bc.Value)
    theirs = run(lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True))
    np.testing.assert_array_equal(ours, theirs)


def test_clamp_between_tensors_gives_no_negative_zero_gradients():
    x, high = bc.tensor([1.0, 5.0, 2.0], requires_grad=True), bc.tensor([2.0, 2.0, 2.0], requires_grad=True)
    x.clamp(max=high).sum().backward()
    assert x.grad.data.tolist() == [1.0, 0.0, 1.0] and high.grad.data.tolist() == [0.0, 1.0, 0.0]
    assert not np.signbit(x.grad.data).any() and not np.signbit(high.grad.data).any()


def test_item_assignment_and_mixing_with_value_are_refused_clearly():
    x = bc.zeros(3)
    with pytest.raises(TypeError, match=r"^item assignment \(t\[i\] = v\) is not supported on a Tensor: build a "):
        x[0] = 5
    with pytest.raises(TypeError, match=r"^unsupported operand for Tensor \* Value: a Tensor and a Value can't be "):
        x * bc.Value(2.0)


@pytest.mark.parametrize(("outer", "transform"), [("jacfwd", lambda f: func.jacfwd(func.jacfwd(f))),
                                                  ("jacrev", lambda f: func.jacrev(func.jacfwd(f)))])
def test_a_nested_jacobian_over_the_budget_is_refused_before_the_inner_one_runs(monkeypatch, outer, transform):
    """The outer Jacobian's size is known once the inner transform's first pass gives its output shape."""
    passes = []
    monkeypatch.setattr(func, "_basis", lambda x, k, basis=func._basis: passes.append(k) or basis(x, k))
    budget = func.set_jacobian_budget(10_000)
    try:
        with pytest.raises(MemoryError, match=rf"^{outer}: d\(dy/dv\)/dv \(shape \(40, 40\)\) would need 12.5 KiB, "
                                               r"over the Jacobian budget of 9.77 KiB"):
            transform(lambda v: (v**3).sum())(bc.tensor(np.linspace(-1.0, 1.0, 40)))
    finally:
        func.set_jacobian_budget(budget)
    assert len(passes) <= 2  # the outer transform's first pass and the inner one's, not the inner one's 40


# --- refusals ------------------------------------------------------------------------------------


def grad_outputs_of_another_shape(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    return L.autograd.grad(x * 2, x, grad_outputs=L.tensor([1.0]))


def grad_outputs_for_a_scalar(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    return L.autograd.grad(x.sum(), x, grad_outputs=L.tensor([1.0, 1.0]))


def vmap_out_dims_none_of_a_batched_output(L):
    return L.func.vmap(lambda v: v * 2, out_dims=None)(L.tensor([[0.0, 1.0], [2.0, 3.0]]))


def vmap_out_dims_none_of_equal_values_whose_gradients_differ(L):
    return L.func.vmap(lambda v: v**2, out_dims=None)(L.tensor([1.0, -1.0], requires_grad=True))


def max_over_several_dims(L):
    return _matrix(L).max(dim=(0, 1))


def max_over_an_empty_dim(L):
    return L.tensor(np.zeros((2, 0))).max(1)


def min_of_an_empty_tensor(L):
    return L.tensor(np.zeros(0)).min()


def cat_of_0d_tensors(L):
    return L.cat([L.tensor(1.0), L.tensor(2.0)])


def softmax_over_a_missing_dim(L):
    return L.tensor([[1.0, 2.0]]).softmax(dim=2)


def flatten_backwards(L):
    return L.tensor(np.zeros((2, 3, 4))).flatten(2, 1)


_UNBATCHED = r"vmap\(<lambda>, \.\.\.\): <lambda> returned an output that depends on the batch .* but out_dims is None"

# (case, our exception, our message; torch refuses too)
REFUSALS = [
    (grad_outputs_of_another_shape, ValueError,
     r"grad: grad_outputs\[0\] has shape \(1,\), but output 0 has shape \(2,\)"),
    (grad_outputs_for_a_scalar, ValueError, r"grad: grad_outputs\[0\] has shape \(2,\), but output 0 has shape \(\)"),
    (vmap_out_dims_none_of_a_batched_output, ValueError, _UNBATCHED),
    (vmap_out_dims_none_of_equal_values_whose_gradients_differ, ValueError, _UNBATCHED),
    (max_over_an_empty_dim, ValueError, r"^max of an empty tensor \(shape \(2, 0\)\) over axis 1 has no value"),
    (min_of_an_empty_tensor, ValueError, r"^min of an empty tensor \(shape \(0,\)\) over axis None has no value"),
    (cat_of_0d_tensors, ValueError, r"^cat joins tensors along an existing dimension, but tensor 0 is 0-d"),
    (softmax_over_a_missing_dim, ValueError, r"^softmax: dim 2 is out of range for a tensor with 2 dimension\(s\)"),
    (flatten_backwards, ValueError, r"^flatten: start_dim 2 comes after end_dim 1"),
    (max_over_several_dims, TypeError, r"max\(dim\) takes one dimension \(an int\) and returns \(values, indices\), "
     r"as in PyTorch; got dim=\(0, 1\)\. For the values over several axes, write max\(axis=\(0, 1\)\)"),
]


@pytest.mark.parametrize(("case", "error", "message"), REFUSALS, ids=[c[0].__name__ for c in REFUSALS])
def test_refused_with_a_clear_message_as_torch_refuses(case, error, message):
    with pytest.raises(error, match=message):
        case(Ours)
    with pytest.raises(Exception):  # noqa: B017 - torch's own wording and type vary
        case(Torch)


# --- a custom Function whose backward uses NumPy, under gradients of gradients -------------------


class NumpyReLU(bc.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, g, 0)  # right for one backward; its graph is lost under create_graph


class NumpyExp(bc.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.exp(x)


def test_a_numpy_backward_is_right_once_and_refused_under_create_graph():
    x = bc.tensor([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(func.jacrev(lambda v: NumpyReLU.apply(v) ** 2)(x).data, np.diag([2.0, 0.0, 6.0]))
    with pytest.raises(TypeError, match=r"^NumpyReLU\.backward returned a NumPy array computed from a Tensor\. "
                                        r"Gradients of gradients .* Write NumpyReLU\.backward with Tensor operations"):
        func.jacrev(func.jacrev(lambda v: (NumpyReLU.apply(v) ** 2).sum()))(x)
    xr = bc.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"^NumpyReLU\.backward returned a NumPy array"):
        bc.autograd.grad((NumpyReLU.apply(xr) ** 2).sum(), xr, create_graph=True)


@pytest.mark.parametrize("transform", [func.hessian, lambda f: func.jacrev(func.jacrev(f)),
                                       lambda f: func.jacfwd(func.grad(f))], ids=["hessian", "jacrev2", "jacfwd_grad"])
def test_a_numpy_ufunc_in_backward_names_the_function_not_an_internal_class(transform):
    with pytest.raises(TypeError, match=r"^NumpyExp\.backward called a NumPy function .* on a Tensor\.") as err:
        transform(lambda v: NumpyExp.apply(v).sum())(bc.tensor([1.0, 2.0]))
    assert "_Dual" not in str(err.value) and "ufunc" not in str(err.value)


# The gradient at a NaN input: routed by comparisons, and a comparison with NaN is false (PyTorch's rule).
NAN = float("nan")


@pytest.mark.parametrize("op, expected", [
    (lambda x: x.relu(), [2.0, 3.0, 0.0]),  # blocked where x <= 0 only
    (lambda x: x.maximum(bc.tensor([NAN, 0.0, 0.0])), [2.0, 3.0, 0.0]),  # NaN is not below the other
    (lambda x: x.abs(), [0.0, 3.0, -4.0]),  # sign(NaN) is 0
    (lambda x: x.clamp(-0.5, 0.5), [0.0, 0.0, 0.0]),  # NaN is not inside the bounds
    (lambda x: x.clamp(max=bc.tensor([0.5, 0.5, 0.5])), [0.0, 0.0, 4.0]),
    (lambda x: x.clamp(min=bc.tensor(-5.0), max=bc.tensor(0.5)), [0.0, 0.0, 4.0]),
], ids=["relu", "maximum", "abs", "clamp", "clamp(max=Tensor)", "clamp(Tensor, Tensor)"])
def test_the_gradient_at_a_nan_input_follows_pytorchs_rule(op, expected):
    x = bc.tensor([NAN, 1.0, -1.0], requires_grad=True)
    out = op(x)
    assert np.isnan(out.data[0])
    out.backward(bc.tensor([2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, expected)


def test_clamp_by_tensors_gives_nan_bounds_no_gradient_and_a_reversed_range_its_upper_bound():
    x, lo, hi = (bc.tensor(v, requires_grad=True) for v in ([NAN, 0.0, 3.0], [1.0, NAN, 1.0], [0.5, 2.0, 0.5]))
    out = x.clamp(min=lo, max=hi)  # high < low: the result is high, and so is the gradient
    np.testing.assert_array_equal(out.data, [NAN, NAN, 0.5])
    out.backward(bc.tensor([2.0, 3.0, 4.0]))
    assert x.grad.data.tolist() == [0.0, 0.0, 0.0] and lo.grad.data.tolist() == [0.0, 0.0, 0.0]
    assert hi.grad.data.tolist() == [2.0, 0.0, 4.0]


@pytest.mark.parametrize("op", [lambda x: x.sqrt(), lambda x: x**0.5], ids=["sqrt", "x ** 0.5"])
def test_sqrt_below_zero_has_a_nan_slope_also_at_minus_inf(op):
    x = bc.tensor([-np.inf, -4.0, 4.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        op(x).sum().backward()
    assert np.isnan(x.grad.data[:2]).all() and x.grad.data[2] == 0.25


def test_a_float32_base_with_a_float64_exponent_has_float64_slopes():
    base = np.float32(0.24363206)
    x, y = bc.Tensor(np.float32([base]), requires_grad=True), bc.tensor([1.377], requires_grad=True)
    (x**y).sum().backward()
    exact = float(base) ** 1.377 * np.log(float(base))  # the float32 base, read exactly in float64
    assert y.grad.dtype == np.float64 and y.grad.data[0] == pytest.approx(exact, rel=1e-15)
    (g,) = bc.autograd.grad((x**y).sum(), [x], create_graph=True)
    (h,) = bc.autograd.grad(g.sum(), [y])
    second = float(base) ** 0.377 * (1 + 1.377 * np.log(float(base)))  # d/dy of y·x^(y-1)
    assert h.data[0] == pytest.approx(second, rel=1e-15)


def test_a_0d_float32_base_with_a_float64_exponent_has_float64_second_order():
    base = np.float32(0.5812445)
    x, y = bc.Tensor(np.array(base), requires_grad=True), bc.tensor(0.87428319, requires_grad=True)
    (_, gy) = bc.autograd.grad(x**y, [x, y], create_graph=True)
    (h,) = bc.autograd.grad(gy, [y])
    exact = float(base) ** 0.87428319 * np.log(float(base)) ** 2  # d²/dy² of x^y, x read exactly in float64
    assert h.dtype == np.float64 and float(h.data) == pytest.approx(exact, rel=1e-15)


@pytest.mark.parametrize("op", [lambda x: x.norm(), lambda x: x ** bc.tensor([0.0, 0.0])], ids=["norm", "x ** y"])
def test_at_a_singular_zero_the_slope_is_0_and_the_second_order_nan(op):
    x = bc.tensor([0.0, 0.0], requires_grad=True)
    (g,) = bc.autograd.grad(op(x).sum(), [x], create_graph=True)
    assert g.data.tolist() == [0.0, 0.0]
    (h,) = bc.autograd.grad(g.sum(), [x])
    assert np.isnan(h.data).all()  # the Hessian has no value there: NaN, not a number read off a formula


def test_norm_of_tiny_entries_keeps_its_second_order():
    x = bc.tensor([3e-300, 4e-300], requires_grad=True)
    (g,) = bc.autograd.grad(x.norm(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, [0.6, 0.8], rtol=1e-15)
    (h,) = bc.autograd.grad(g[0], [x])  # (I - u uᵀ) / |x| at u = (0.6, 0.8), |x| = 5e-300
    np.testing.assert_allclose(h.data, [0.64 / 5e-300, -0.48 / 5e-300], rtol=1e-12)
