"""Code written for micrograd runs on Value: facts from micrograd's tests, its README and its lecture cells.

Each test restates a public fact (a printed number, a gradient the lecture derives by hand, the order of
its manual `_backward()` calls) and checks it against this engine; no code is taken from those sources.
"""

import math

import pytest

from backprop_course import Function, Value
from backprop_course.data import make_moons
from backprop_course.nn import MLP


def reference(x):
    """micrograd's sanity expression in plain floats, and its derivative by central differences."""
    def f(x):
        z = 2 * x + 2 + x
        q = max(z, 0.0) + z * x
        h = max(z * z, 0.0)
        return h + q + q * x
    eps = 1e-6
    return f(x), (f(x + eps) - f(x - eps)) / (2 * eps)


def test_sanity_expression_matches_plain_floats():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    value, slope = reference(-4.0)
    assert y.data == value
    assert x.grad == pytest.approx(slope, rel=1e-6)


def test_more_ops_give_the_readme_numbers():
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338" and f"{b.grad:.4f}" == "645.5773"


def lecture_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return locals()


def test_lecture_neuron_with_manual_backward_calls_in_the_lectures_order():
    v = lecture_neuron()
    v["o"].grad = 1.0
    for name in ["o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"]:
        v[name]._backward()
    assert v["o"].data == pytest.approx(0.7071, abs=1e-4)
    assert v["n"].grad == pytest.approx(0.5, abs=1e-4)
    assert [round(v[k].grad, 4) for k in ("x1", "w1", "x2", "w2")] == [-1.5, 1.0, 0.5, 0.0]


def test_topological_sort_over_prev_then_backward_in_reverse():
    v = lecture_neuron()
    topo, visited = [], set()

    def build_topo(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)

    build_topo(v["o"])
    assert topo[-1] is v["o"] and len(topo) == 10
    v["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert [round(v[k].grad, 4) for k in ("x1", "w1", "x2", "w2")] == [-1.5, 1.0, 0.5, 0.0]


def test_trace_reads_prev_op_label_data_grad():
    v = lecture_neuron()
    nodes, edges = set(), set()

    def build(node):
        if node not in nodes:
            nodes.add(node)
            for child in node._prev:
                edges.add((child, node))
                build(child)

    build(v["o"])
    assert len(nodes) == 10 and len(edges) == 9
    assert {n._op for n in nodes} == {"", "*", "+", "tanh"}
    assert all(isinstance(n.label, str) and isinstance(n.data, float) and n.grad == 0.0 for n in nodes)


def test_tanh_written_with_exp_gives_the_same_gradients():
    v = lecture_neuron()
    e = (2 * v["n"]).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    assert [round(v[k].grad, 4) for k in ("x1", "w1", "x2", "w2")] == [-1.5, 1.0, 0.5, 0.0]


def test_a_plus_a_counts_both_edges():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_the_lectures_fork_example():
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d, e = a * b, a + b
    f = d * e
    f.backward()
    assert (f.data, a.grad, b.grad) == (-6.0, -3.0, -8.0)


def test_micrograd_constructor_and_op_strings():
    a = Value(2.0, (), "", "a")
    assert a.label == "a" and a._prev == set() and a._op == ""
    assert Value(2.0, _children=()).parents == () and Value(2.0, "x").label == "x"
    assert (a**2)._op == "**2" and a.relu()._op == "ReLU" and a.exp()._op == "exp" and (a * a)._op == "*"

    class Shift(Function):  # a Function of the learner's that happens to keep a `c` of its own
        @staticmethod
        def forward(ctx, x):
            ctx.c = 5.0
            return x + ctx.c

        @staticmethod
        def backward(ctx, g):
            return g

    assert Shift.apply(a)._op == "Shift"


def test_a_tuple_of_children_is_refused_not_taken_as_a_label():
    a = Value(1.0)
    with pytest.raises(TypeError, match="can't record an edge.*without its local derivative"):
        Value(math.exp(a.data), (a,))


def test_ordered_comparisons_use_data_and_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a + 1.2 > b and a < b and b >= 2 and a <= 1.0
    assert Value(1.0) != Value(1.0) and a == a and len({a, b, a}) == 2


def test_backward_takes_a_seed():
    x = Value(3.0)
    (x * x).backward(0.5)
    assert x.grad == 3.0


def test_the_demo_training_loop_runs():
    X, y = make_moons(n_samples=100, noise=0.1)
    assert X.shape == (100, 2) and set(y.tolist()) == {0, 1}
    model = MLP(2, [16, 16, 1])
    y = 2 * y - 1
    losses = []
    for _ in range(3):
        scores = [model(list(map(Value, xi))) for xi in X[:20]]
        loss = sum((1 + -yi * si).relu() for yi, si in zip(y[:20], scores, strict=True)) * (1.0 / 20)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0]
