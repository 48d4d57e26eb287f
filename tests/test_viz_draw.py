"""draw_graph: labels, number format, determinism, highlighting, tensors, big-graph collapsing."""

import html
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import lecture_f

from backprop_course import Tensor, Value, topological_order
from backprop_course.viz import draw_graph, fmt, render_svg

NODE_LINE = re.compile(r"^\t(n\d+(?:op)?|more) \[", re.M)


def text_of(svg):
    return html.unescape(svg)


def test_fmt_is_fixed_width_and_readable():
    assert fmt(-0.19661193324148185) == "-0.1966"
    assert fmt(3) == "3.0000"
    assert fmt(-0.0) == "0.0000"
    assert fmt(12345678.9) == "1.235e+07"
    assert fmt(float("nan")) == "nan"


def test_value_graph_shows_the_lecture_numbers():
    svg = text_of(render_svg(draw_graph(lecture_f())))
    for text in ["data -2.0000", "data 3.0000", "data -12.0000", "grad -4.0000", "grad 3.0000", "grad 1.0000"]:
        assert text in svg
    assert svg.count('fill="#c62828"') == 5  # every grad drawn in red
    assert ">+</text>" in svg and ">*</text>" in svg  # separate op nodes


def test_show_grad_false_hides_gradients():
    svg = text_of(render_svg(draw_graph(lecture_f(), show_grad=False)))
    assert "grad" not in svg and "data -12.0000" in svg


def test_source_is_deterministic_and_free_of_ids():
    a, b = draw_graph(lecture_f()).source, draw_graph(lecture_f()).source
    assert a == b
    names = NODE_LINE.findall(a)
    assert names == ["n0", "n1", "n2", "n2op", "n3", "n4", "n4op"]
    # Same structure with other numbers: identical apart from the numbers, so the layout does not jump.
    other = draw_graph(lecture_f(1.5, 2.5, 3.5)).source
    strip = lambda s: re.sub(r"-?\d+\.\d{4}", "#", s)
    assert strip(other) == strip(a)


@st.composite
def expressions(draw):
    """A random expression over x, y as a list of (op, i, j) instructions."""
    return draw(st.lists(st.tuples(st.sampled_from("+*-"), st.integers(0, 50), st.integers(0, 50)),
                         min_size=1, max_size=15))


def build(program, x, y):
    vals = [Value(x, "x"), Value(y, "y")]
    for op, i, j in program:
        a, b = vals[i % len(vals)], vals[j % len(vals)]
        vals.append(a + b if op == "+" else a * b if op == "*" else a - b)
    vals[-1].backward()
    return vals[-1]


@settings(max_examples=30, deadline=None)
@given(expressions(), st.floats(-3, 3), st.floats(-3, 3))
def test_same_structure_gives_same_source(program, x, y):
    assert draw_graph(build(program, x, y)).source == draw_graph(build(program, x, y)).source


def test_highlight_marks_nodes_and_edges():
    f = lecture_f()
    q = f.parents[0]
    g = draw_graph(f, highlight=[q, (q, f)])
    svg = render_svg(g)
    assert re.search(r'<g id="n2" class="node highlight">', svg)
    assert 'fill="#ffd54f"' in svg
    assert 'n2 -> n4op [color="#ef6c00"' in g.source
    with pytest.raises(ValueError, match="not part of the drawn graph"):
        draw_graph(f, highlight=[Value(1.0)])
    with pytest.raises(TypeError, match="highlight takes nodes"):
        draw_graph(f, highlight=["q"])


def test_bad_arguments_are_clear():
    with pytest.raises(TypeError, match="needs a Value or Tensor, got float"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(lecture_f(), rankdir="sideways")
    assert "rankdir=TB" in draw_graph(lecture_f(), rankdir="TB").source


def test_tensor_nodes_show_shape_and_small_values_or_a_summary():
    x = Tensor([[2.0, 1.0, -3.0], [-3.0, 4.0, 2.0]], requires_grad=True, label="x")
    w = Tensor(np.arange(20.0).reshape(5, 4) - 10, requires_grad=True, label="W")
    big = Tensor(np.ones((3, 5)), requires_grad=True, label="B")
    loss = ((x @ w[:3]) * 1.0).sum() + big.sum()
    loss.backward()
    svg = text_of(render_svg(draw_graph(loss)))
    assert "x (2, 3)" in svg and "[2.0000 1.0000 -3.0000]" in svg and "[-3.0000 4.0000 2.0000]" in svg
    assert "W (5, 4)" in svg and "mean -0.5000, min -10.0000, max 9.0000" in svg  # 20 elements: summarised
    dx = np.ones((2, 4)) @ (np.arange(20.0).reshape(5, 4) - 10)[:3].T
    assert "grad [" + " ".join(fmt(v) for v in dx[0]) + "]" in svg
    assert "grad mean 1.0000, min 1.0000, max 1.0000" in svg


def random_mlp_loss(points=100, seed=0):
    """micrograd's demo graph: MLP(2, [16, 16, 1]) over `points` points, hinge loss + L2 (~65k Values)."""
    rng = random.Random(seed)
    sizes = [2, 16, 16, 1]
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(0.0)) for _ in range(b)]
              for a, b in zip(sizes, sizes[1:], strict=False)]
    losses = []
    for _ in range(points):
        h = [Value(rng.uniform(-2, 2)), Value(rng.uniform(-2, 2))]
        for k, layer in enumerate(layers):
            h = [sum((wi * xi for wi, xi in zip(w, h, strict=True)), b) for w, b in layer]
            h = [v.relu() for v in h] if k < 2 else h
        losses.append((1 + -rng.choice((-1.0, 1.0)) * h[0]).relu())
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    loss = sum(losses) * (1.0 / points) + 1e-4 * sum(p * p for p in params)
    loss.backward()
    return loss


@pytest.mark.parametrize("max_nodes", [300, 50])
def test_big_graph_is_collapsed_with_a_note(max_nodes):
    loss = random_mlp_loss()
    total = len(topological_order(loss))
    assert total > 60_000
    g = draw_graph(loss, max_nodes=max_nodes)
    drawn = NODE_LINE.findall(g.source)
    assert len(drawn) <= max_nodes and "more" in drawn
    shown = sum(1 for n in drawn if re.fullmatch(r"n\d+", n))
    note = f"… {total - shown} more nodes"
    svg = text_of(render_svg(g))
    assert note in svg and f"showing the {shown} of {total} nodes" in svg
    assert "data" in svg and "grad" in svg


def test_small_graph_is_never_collapsed():
    f = lecture_f()
    assert "more" not in NODE_LINE.findall(draw_graph(f, max_nodes=7).source)
    assert "… 2 more nodes" in text_of(render_svg(draw_graph(f, max_nodes=6)))
