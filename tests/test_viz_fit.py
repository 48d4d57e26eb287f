"""Pictures that fit a notebook cell, the lecture's drawing style, higher-order graphs, learners' own nodes."""

import html
import re

import numpy as np
import pytest
from strategies import lecture_f

from backprop_course import Tensor, Value
from backprop_course.viz import draw_graph, render_svg
from backprop_course.viz.fit import MIN_TEXT_PX, fit_html, text_px_when_fitted


def texts(svg):
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<text\b.*?</text>", svg)]


def chain(n):
    v = Value(0.5, "x")
    for i in range(n):
        v = v * 1.01 if i % 2 else v + 0.1
        v.label = f"v{i}"
    v.backward()
    return v


def test_html_scales_the_picture_to_its_cell_with_a_click_for_full_size():
    svg = render_svg(draw_graph(lecture_f()))
    shown = fit_html(svg)
    assert shown.startswith('<div class="bpc-graph"') and "max-width:100%" in shown
    assert "onclick=" in shown and "zoom-in" in shown
    assert shown.count("<svg") == 1 and svg[svg.find("<svg") + 4:] in shown  # the picture itself is unchanged


def test_a_long_chain_turns_top_to_bottom_to_stay_legible():
    c = chain(14)
    wide = render_svg(draw_graph(c, rankdir="LR"))
    assert text_px_when_fitted(wide, 11) < MIN_TEXT_PX  # left to right it would shrink to dust
    auto = draw_graph(c)
    assert 'rankdir=TB' in auto.source
    assert text_px_when_fitted(render_svg(auto), 11) >= MIN_TEXT_PX


def test_a_small_graph_stays_left_to_right():
    g = draw_graph(lecture_f())
    assert "rankdir=LR" in g.source
    assert text_px_when_fitted(render_svg(g), 11) >= MIN_TEXT_PX


def test_lecture_style_puts_values_above_and_gradients_below_the_edges():
    svg = render_svg(draw_graph(lecture_f(), style="lecture"))
    shown = texts(svg)
    for name in "xyzf":
        assert name in shown
    pairs = set(zip(shown, shown[1:]))  # each gradient is the text right after (under) its value
    for value_and_grad in [("-2.0000", "-4.0000"), ("5.0000", "-4.0000"), ("-4.0000", "3.0000"),
                           ("q = 3.0000", "-4.0000"), ("-12.0000", "1.0000")]:
        assert value_and_grad in pairs
    # value in green above the rule, gradient in red below it
    ys = {html.unescape(t): float(y) for y, t in re.findall(r"<text[^>]*\by=\"([-\d.]+)\"[^>]*>([^<]*)</text>", svg)}
    assert ys["-12.0000"] < ys["1.0000"]
    assert svg.count('fill="#1b7f3b"') == 5 and svg.count('fill="#c62828"') == 5


def test_lecture_style_without_gradients_and_bad_uses():
    svg = render_svg(draw_graph(lecture_f(), style="lecture", show_grad=False))
    assert "-12.0000" in texts(svg) and "1.0000" not in texts(svg)
    with pytest.raises(ValueError, match="style must be one of"):
        draw_graph(lecture_f(), style="fancy")
    with pytest.raises(ValueError, match="box style only"):
        draw_graph(lecture_f(), style="lecture", highlight=[lecture_f()])


def micrograd_like():
    """A learner's own class, micrograd's way: ._prev is a set, ._op a string."""

    class Scalar:
        def __init__(self, data, _children=(), _op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(_children), _op, label

        def __add__(self, other):
            return Scalar(self.data + other.data, (self, other), "+")

        def __mul__(self, other):
            return Scalar(self.data * other.data, (self, other), "*")

    a, b, c = Scalar(2.0, label="a"), Scalar(-3.0, label="b"), Scalar(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label, d.grad, c.grad, e.grad, a.grad, b.grad = "d", 1.0, 1.0, 1.0, -3.0, 2.0
    return d, a


def test_a_learners_micrograd_style_class_is_drawn():
    d, a = micrograd_like()
    svg = render_svg(draw_graph(d, highlight=[a]))
    shown = texts(svg)
    for t in ["a", "b", "c", "e", "d", "data -6.0000", "data 4.0000", "grad -3.0000", "grad 2.0000", "+", "*"]:
        assert t in shown, t
    assert 'class="node highlight"' in svg
    assert len(re.findall(r"<g id=\"n\d+op\"", svg)) == 2


def test_a_class_with_course_names_parents_and_op_is_drawn():
    class Node:
        def __init__(self, data, parents=(), op=""):
            self.data, self.grad, self.parents, self.op = data, None, tuple(parents), op

    x = Node(3.0)
    y = Node(9.0, (x, x), "*")  # a tuple keeps both edges of x * x
    src = draw_graph(y).source
    assert src.count("n0 -> n1op") == 2 and "grad ?" in src


def test_objects_that_are_not_nodes_are_refused():
    class Half:
        data = 1.0
        _prev = (3.0,)
        _op = "+"

    with pytest.raises(TypeError, match="inputs must be nodes"):
        draw_graph(Half())
    with pytest.raises(TypeError, match="needs a Value or Tensor"):
        draw_graph(object())


def higher_order():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    L = x[0] ** 2 * x[1] + x[1] ** 3
    L.label = "L"
    L.backward(create_graph=True)
    grad_L = x.grad
    grad_L.label = "∂L/∂x"
    v = Tensor([1.0, 0.0], label="v")
    out = (grad_L * v).sum()
    out.label = "∇L·v"
    x.grad = None
    out.backward()
    return out, L, grad_L


def test_nodes_recorded_by_the_backward_pass_are_drawn_apart():
    out, L, grad_L = higher_order()
    plain = draw_graph(out).source
    marked = draw_graph(out, forward=L, backward=grad_L)
    src = marked.source
    assert "#dcebfa" not in plain and "recorded by the backward pass" in src
    blue = re.findall(r"^\t(n\d+) \[label=<<table[^\n]*bgcolor=\"#dcebfa\"", src, re.M)
    assert len(blue) >= 5
    # the gradient's own node is blue and named; the forward input x and the later v are not blue
    svg = render_svg(marked)
    assert "∂L/∂x (2,)" in html.unescape(svg)
    x_line = next(line for line in src.splitlines() if ">x (2,)<" in line)
    v_line = next(line for line in src.splitlines() if ">v (2,)<" in line)
    assert "#dcebfa" not in x_line and "#dcebfa" not in v_line
    # only leaves keep a gradient row, so no box says "grad 0.0000" about an intermediate
    assert "grad [4.0000 2.0000]" in html.unescape(svg)
    assert "grad 0.0000" not in html.unescape(svg) and "grad 0.0000" in html.unescape(render_svg(draw_graph(out)))
    assert np.array_equal(grad_L.data, [4.0, 13.0])
