"""backward_steps: upstream × local = downstream, node by node, as in the lecture."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course import Tensor, Value
from backprop_course.viz import backward_steps


def test_lecture_f_steps():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    steps = list(backward_steps(f))
    assert [s.node for s in steps] == [f, z, q, y, x]  # reverse topological order
    first = steps[0]
    assert first.upstream == 1.0  # df/df
    assert first.local == (-4.0, 3.0)  # df/dq = z, df/dz = q
    assert first.downstream == (-4.0, 3.0)
    add = steps[2]
    assert (add.upstream, add.local, add.downstream) == (-4.0, (1.0, 1.0), (-4.0, -4.0))  # the add distributes
    assert {s.node.label: s.upstream for s in steps if not s.node.parents} == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert all(s.local == s.downstream == () for s in steps if not s.node.parents)
    assert x.grad == 0.0  # steps compute on the side; nothing is accumulated


def test_sigmoid_neuron_steps_match_section_5():
    w0, x0, w1, x1, w2 = Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0), Value(-3.0)
    dot = w0 * x0 + w1 * x1 + w2
    e = (-dot).exp()
    d = e + 1
    out = d ** -1
    by_node = {id(s.node): s for s in backward_steps(out)}
    assert by_node[id(out)].upstream == 1.0
    assert by_node[id(d)].upstream == pytest.approx(-0.5344, abs=1e-4)  # through 1/x
    assert by_node[id(e)].upstream == pytest.approx(-0.5344, abs=1e-4)  # through +1
    assert by_node[id(e)].downstream[0] == pytest.approx(-0.1966, abs=1e-4)  # through exp
    assert by_node[id(dot)].upstream == pytest.approx(0.1966, abs=1e-4)  # through ×(−1)
    leaves = [by_node[id(v)].upstream for v in (w0, x0, w1, x1, w2)]
    assert leaves == pytest.approx([-0.1966, 0.3932, -0.3932, -0.5898, 0.1966], abs=1e-4)


def test_fork_accumulates():
    a = Value(7.0, "a")
    out = a * 4.0 + a * 2.0  # copy gate: upstreams 4 and 2 add up to 6
    leaf = [s for s in backward_steps(out) if s.node is a]
    assert len(leaf) == 1 and leaf[0].upstream == 6.0


def central_diff(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_tensor_steps_reach_the_numeric_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    w0, x0 = rng.normal(size=(d, 3)), rng.normal(size=(n, d))
    f = lambda x: float((np.tanh(x @ w0) * 2.0).sum())
    x = Tensor(x0, requires_grad=True)
    out = ((x @ Tensor(w0)).tanh() * 2.0).sum()
    steps = list(backward_steps(out))
    leaf = next(s for s in steps if s.node is x)
    np.testing.assert_allclose(leaf.upstream, central_diff(f, x0), rtol=1e-6, atol=1e-8)
    assert all(loc is None for s in steps for loc in s.local)  # Jacobians are never built
    assert x.grad is None


def test_non_scalar_tensor_output_needs_grad():
    x = Tensor([1.0, -2.0, 3.0, -1.0], requires_grad=True)
    y = x.relu()
    with pytest.raises(ValueError, match=r"grad= for an output of shape \(4,\)"):
        list(backward_steps(y))
    leaf = list(backward_steps(y, np.array([4.0, -1.0, 5.0, 9.0])))[-1]
    np.testing.assert_array_equal(leaf.upstream, [4.0, 0.0, 5.0, 0.0])


def test_needs_a_graph_node():
    with pytest.raises(TypeError, match="needs a Value or Tensor"):
        list(backward_steps(1.0))
