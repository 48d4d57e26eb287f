"""Networks, optimizer and losses on both engines."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course import Tensor, Value, gradcheck, nn
from backprop_course.data import make_moons

# --- Values (micrograd-compatible) ------------------------------------------------


def test_scalar_mlp_parameter_count_and_types():
    model = nn.MLP(2, [16, 16, 1], rng=0)
    assert isinstance(model, nn.ValueMLP) and isinstance(model, nn.Module)
    params = model.parameters()
    assert len(params) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337
    assert all(isinstance(p, Value) for p in params)
    assert len({id(p) for p in params}) == len(params)
    out = model([Value(0.5), -1.0])
    assert isinstance(out, Value)
    assert isinstance(nn.Layer(2, 3, rng=0)([1.0, 2.0]), list)


def test_scalar_neuron_computes_relu_of_affine():
    neuron = nn.Neuron(2, rng=0)
    w0, w1 = (w.data for w in neuron.w)
    neuron.b.data = 0.25
    x = [0.5, -2.0]
    assert neuron(x).data == pytest.approx(max(0.0, w0 * 0.5 + w1 * -2.0 + 0.25))
    linear = nn.Neuron(2, nonlin=False, rng=0)
    assert linear(x).data == pytest.approx(w0 * 0.5 + w1 * -2.0)


def test_scalar_backward_then_zero_grad():
    model = nn.MLP(3, [4, 4, 1], rng=1)
    loss = model([1.0, -2.0, 0.5]) ** 2
    loss.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_seeding_is_deterministic():
    a = [p.data for p in nn.MLP(2, [3, 1], rng=7).parameters()]
    b = [p.data for p in nn.MLP(2, [3, 1], rng=7).parameters()]
    c = [p.data for p in nn.MLP(2, [3, 1], rng=8).parameters()]
    assert a == b and a != c
    nn.manual_seed(5)
    d = [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    nn.manual_seed(5)
    assert d == [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    neurons = nn.Layer(2, 2, rng=0).neurons
    assert [w.data for w in neurons[0].w] != [w.data for w in neurons[1].w]  # no symmetric copies


def test_scalar_sgd_descends_a_quadratic():
    w = Value(3.0)
    opt = nn.SGD([w], lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        ((w - 1.0) ** 2).backward()
        opt.step()
    assert w.data == pytest.approx(1.0, abs=1e-6)


def test_scalar_bad_input():
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        nn.Neuron(2, rng=0)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"MLP\(nin, nouts\)"):
        nn.MLP("2", [1])


# --- Tensors -------------------------------------------------------------------------


def test_linear_shapes_init_and_dtype():
    layer = nn.Linear(1000, 50, rng=0)
    assert layer.weight.shape == (1000, 50) and layer.bias.shape == (50,)
    bound = np.sqrt(6 / 1000)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound  # uniform over the whole He range
    np.testing.assert_array_equal(layer.bias.data, 0)
    x = np.random.default_rng(0).standard_normal((4, 1000))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data)
    assert nn.Linear(3, 2, dtype=np.float32, rng=0)(np.ones((1, 3), np.float32)).dtype == np.float32
    assert len(nn.Linear(3, 2, bias=False).parameters()) == 1
    with pytest.raises(ValueError, match=r"last dimension 3.*\(4, 5\)"):
        nn.Linear(3, 2)(np.ones((4, 5)))


def test_tensor_mlp_gradchecks():
    model = nn.MLP([3, 5, 2], activation="tanh", rng=0)
    assert isinstance(model, nn.TensorMLP) and len(model.parameters()) == 4
    x = np.random.default_rng(1).standard_normal((4, 3))
    W1, b1, W2, b2 = (p.data for p in model.parameters())

    def forward(W1, b1, W2, b2):
        return ((Tensor(x) @ W1 + b1).tanh() @ W2 + b2)

    assert gradcheck(forward, [Tensor(p) for p in (W1, b1, W2, b2)])
    np.testing.assert_allclose(model(x).data, np.tanh(x @ W1 + b1) @ W2 + b2)


def test_tensor_mlp_trains_on_moons():
    X, y = make_moons(200, noise=0.1, seed=0)
    model = nn.MLP([2, 16, 16, 2], rng=0)
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(150):
        loss = nn.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    accuracy = (model(X).data.argmax(axis=1) == y).mean()
    assert accuracy > 0.97


def test_sgd_momentum_follows_the_heavy_ball_rule():
    p = Tensor([1.0, -2.0], requires_grad=True)
    opt = nn.SGD([p], lr=0.5, momentum=0.9)
    expected, v = p.data.copy(), np.zeros(2)
    for _ in range(3):
        opt.zero_grad()
        (p * p).sum().backward()
        g = 2 * expected
        v = 0.9 * v + g
        expected = expected - 0.5 * v
        opt.step()
        np.testing.assert_allclose(p.data, expected)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "lr"), (dict(lr=0.1, momentum=1.0), "momentum"),
])
def test_sgd_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.SGD([Tensor(1.0, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match="empty"):
        nn.SGD([], lr=0.1)


# --- losses ---------------------------------------------------------------------------


def reference_cross_entropy(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(targets)), targets].mean()


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_cross_entropy_matches_numpy_and_gradchecks(n, c, seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, c)) * 3
    targets = rng.integers(0, c, n)
    loss = nn.cross_entropy(Tensor(logits), targets)
    assert loss.item() == pytest.approx(reference_cross_entropy(logits, targets), rel=1e-12, abs=1e-12)
    assert gradcheck(lambda z: nn.cross_entropy(z, targets), [Tensor(logits)])
    z = Tensor(logits, requires_grad=True)
    nn.cross_entropy(z, targets).backward()
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad.data, (p - np.eye(c)[targets]) / n, atol=1e-12)


def test_cross_entropy_reductions_and_float_whole_number_targets():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    targets = np.array([0, 2])
    each = nn.cross_entropy(logits, targets, reduction="none").data
    assert each.shape == (2,)
    assert nn.cross_entropy(logits, targets, reduction="sum").item() == pytest.approx(each.sum())
    assert nn.cross_entropy(logits, Tensor(targets)).item() == pytest.approx(each.mean())
    assert nn.cross_entropy(Tensor(logits), [0, 2]).item() == pytest.approx(reference_cross_entropy(logits, targets))


def test_cross_entropy_is_stable_at_plus_minus_1000():
    logits = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss = nn.cross_entropy(logits, [1, 0])
        loss.backward()
    assert loss.item() == pytest.approx((2000 + 2000 + np.log(2)) / 2)
    assert np.all(np.isfinite(logits.grad.data))


@pytest.mark.parametrize("targets, error, message", [
    ([0, 3], ValueError, r"\[0, 3\).*got 3 at position 1"),
    ([0, -1], ValueError, r"got -1 at position 1"),
    ([0.5, 1.0], TypeError, "integer class indices"),
    (np.eye(3)[:2], ValueError, r"\(2, 3\).*\(2, 3\)"),
    ([0, 1, 2], ValueError, r"logits has shape \(2, 3\).*targets has shape \(3,\)"),
    (["a", "b"], TypeError, "integer class indices"),
])
def test_cross_entropy_bad_targets(targets, error, message):
    with pytest.raises(error, match=message):
        nn.cross_entropy(Tensor(np.zeros((2, 3))), targets)


def test_cross_entropy_needs_2d_logits():
    with pytest.raises(ValueError, match=r"\(batch, classes\).*\(3,\)"):
        nn.cross_entropy(Tensor(np.zeros(3)), [0])


def test_mse_loss_value_gradient_and_shape_error():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    assert nn.mse_loss(Tensor(pred), target).item() == pytest.approx(((pred - target) ** 2).mean())
    assert gradcheck(lambda p: nn.mse_loss(p, target), [Tensor(pred)])
    with pytest.raises(ValueError, match=r"pred has shape \(4, 1\) but target has shape \(4,\)"):
        nn.mse_loss(Tensor(np.zeros((4, 1))), np.zeros(4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_cross_entropy_matches_the_composed_graph_and_torch(reduction, dtype):
    torch = pytest.importorskip("torch")
    from backprop_course import func

    rng = np.random.default_rng(3)
    X, t = rng.standard_normal((5, 3)).astype(dtype) * 4, np.array([0, 2, 1, 2, 0])
    weights = np.arange(1.0, 6.0).astype(dtype)
    results = []
    for fused in (True, False):
        x = Tensor(X, requires_grad=True)
        loss = nn.cross_entropy(x, t, reduction, fused=fused)
        assert (loss.op == "cross_entropy") == fused
        (loss * Tensor(weights) if reduction == "none" else loss).sum().backward()
        results.append((loss.data, x.grad.data))
    tx = torch.tensor(X, requires_grad=True)
    tloss = torch.nn.functional.cross_entropy(tx, torch.tensor(t), reduction=reduction)
    (tloss * torch.tensor(weights) if reduction == "none" else tloss).sum().backward()
    tol = 1e-6 if dtype == np.float32 else 1e-14
    for loss, grad in results:
        assert loss.dtype == grad.dtype == dtype
        np.testing.assert_allclose(loss, tloss.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=tol, atol=tol)
    if dtype == np.float64 and reduction == "mean":  # second order: the softmax is recorded under create_graph
        h = func.hessian(lambda z: nn.cross_entropy(z, t))(Tensor(X))
        th = torch.func.hessian(lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(t)))(torch.tensor(X))
        np.testing.assert_allclose(np.asarray(h), th.numpy(), atol=1e-14)
