"""graph_explorer and backward_stepper driven like a learner would: by setting slider values."""

import html
import math
import re

import ipywidgets as widgets
import pytest

from backprop_course import Value
from backprop_course.viz import fmt
from backprop_course.widgets import backward_stepper, graph_explorer


def lecture_explorer():
    return graph_explorer(lambda x, y, z: (x + y) * z, x=(-5, 5, -2), y=(-5, 5, 5), z=(-5, 5, -4))


def test_graph_explorer_starts_at_the_lecture_numbers():
    e = lecture_explorer()
    assert isinstance(e, widgets.Box)
    assert list(e.sliders) == ["x", "y", "z"]
    assert e.text.splitlines() == ["f = -12.0000", "∂f/∂x = -4.0000  ∂f/∂y = -4.0000  ∂f/∂z = 3.0000"]
    assert "data -12.0000" in html.unescape(e.svg)
    assert e.message == ""


@pytest.mark.parametrize(("name", "value"), [("x", 1.5), ("y", -3.25), ("z", 2.0)])
def test_moving_a_slider_redraws_with_new_values_and_grads(name, value):
    e = lecture_explorer()
    e.sliders[name].value = value
    v = {"x": -2.0, "y": 5.0, "z": -4.0} | {name: value}
    f, q = (v["x"] + v["y"]) * v["z"], v["x"] + v["y"]
    svg = html.unescape(e.svg)
    assert f"data {fmt(f)}" in svg and f"data {fmt(q)}" in svg
    assert f"grad {fmt(v['z'])}" in svg and f"grad {fmt(q)}" in svg
    assert e.text.startswith(f"f = {fmt(f)}\n")
    assert f"∂f/∂x = {fmt(v['z'])}" in e.text and f"∂f/∂z = {fmt(q)}" in e.text


def test_bad_slider_combination_shows_a_message_and_recovers():
    e = graph_explorer(lambda x, y: (x * y).log(), x=(-3, 3, 1), y=(-3, 3, 2))
    assert e.text.startswith(f"f = {fmt(math.log(2))}")
    good_svg = e.svg
    e.sliders["x"].value = -1.0  # log of a negative
    assert "log is only defined for positive numbers" in e.message
    assert "x=-1.0000" in e.text and e.svg == good_svg
    assert "⚠" in e.view.frame["readout"] and e.view.frame["dim"] and "<svg" in e.view.frame["picture"]
    e.sliders["x"].value = 2.0
    assert e.message == "" and e.text.startswith(f"f = {fmt(math.log(4))}")
    assert f"∂f/∂x = {fmt(0.5)}" in e.text


def test_function_returning_a_plain_number_is_reported_in_the_widget():
    e = graph_explorer(lambda x: math.exp(x.data))
    assert "should return a Value" in e.message


def test_ranges_defaults_and_bad_names():
    e = graph_explorer(lambda a, b=2.0: a * b, a=(0, 10))
    assert (e.sliders["a"].min, e.sliders["a"].max, e.sliders["a"].value) == (0, 10, 5)
    assert e.sliders["b"].value == 2.0
    assert isinstance(e.sliders["a"].continuous_update, bool)
    with pytest.raises(TypeError, match="ranges for w, but the function's inputs are a, b"):
        graph_explorer(lambda a, b: a * b, w=(0, 1))
    with pytest.raises(ValueError, match="outside its range"):
        graph_explorer(lambda a: a, a=(0, 1, 5))
    with pytest.raises(TypeError, match=r"\*args"):
        graph_explorer(lambda *xs: xs[0])


def highlighted_ids(svg):
    return sorted(re.findall(r'<g id="(n\d+(?:op)?)" class="node highlight">', svg))


def test_backward_stepper_walks_the_lecture_graph():
    s = backward_stepper(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    assert isinstance(s, widgets.Box) and len(s.steps) == 5
    step = s.sliders["step"]
    assert (step.min, step.value, step.max) == (1, 1, 5)  # the slider counts as the text does
    assert highlighted_ids(s.svg) == ["n4", "n4op"] and s.highlighted == "n4"
    assert s.text.startswith("step 1/5: f = q · z\n")  # the lecture's notation, with x + y named q
    assert "upstream 1.0000 × local -4.0000 = downstream -4.0000" in s.text
    assert "upstream 1.0000 × local 3.0000 = downstream 3.0000" in s.text
    shown = html.unescape(s.svg)
    assert shown.count("grad ?") == 2  # q and z have received theirs; x and y not yet
    assert ">q<" in shown and "grad -4.0000" in shown and "grad 3.0000" in shown
    s.buttons["next"].click()
    assert highlighted_ids(s.svg) == ["n3"] and s.text.startswith("step 2/5: z is a leaf") and "3.0000" in s.text
    s.next()
    assert highlighted_ids(s.svg) == ["n2", "n2op"]
    assert s.text.startswith("step 3/5: q = x + y\n")
    assert s.text.count("upstream -4.0000 × local 1.0000 = downstream -4.0000") == 2
    assert "grad ?" not in html.unescape(s.svg)  # the text says x and y received -4, and their boxes show it
    assert "complete" not in s.text
    step.value = 5
    assert s.text.startswith("step 5/5: x is a leaf") and "backward pass is complete" in s.text
    s.next()  # stays on the last step, which says the pass is complete
    assert step.value == 5 and "backward pass is complete" in s.text
    s.prev()
    assert s.current.node.label == "y" and s.text.startswith("step 4/5")
    s.play.value = 1  # Play drives the step slider
    assert step.value == 1 and s.highlighted == "n4"
    assert s._live.layouts == 1  # one Graphviz layout; every step after it is updated in place


def test_backward_stepper_steps_change_colours_and_texts_not_the_pictures_elements():
    # so the browser recolours the picture in place rather than rebuilding parts of it
    s = backward_stepper(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    shapes = set()
    for k in range(1, len(s.steps) + 1):
        s.sliders["step"].value = k
        shapes.add(tuple(re.findall(r"<(\w+)", s.svg)))
    assert len(shapes) == 1


def test_backward_stepper_takes_a_graph_output():
    a = Value(3.0, "a")
    b = a * a
    s = backward_stepper(b)
    assert "upstream 1.0000 × local 3.0000 = downstream 3.0000" in s.text
    s.next()
    assert "a is a leaf: its gradient is the upstream gradient 6.0000" in s.text
    with pytest.raises(TypeError, match="only with a function"):
        backward_stepper(b, a=1.0)


def test_backward_stepper_on_a_tensor_graph_uses_vjps():
    from backprop_course import Tensor

    x = Tensor([1.0, -2.0, 3.0, -1.0], requires_grad=True, label="x")
    loss = (x.relu() * Tensor([4.0, -1.0, 5.0, 9.0])).sum()
    s = backward_stepper(loss)
    assert "upstream gradient: 1.0000" in s.text
    while s.current.node is not x:
        s.next()
    assert "x is a leaf: its gradient is the upstream gradient [4.0000 0.0000 5.0000 0.0000]" in s.text
    s.prev()
    assert "downstream = VJP(upstream) = [4.0000 0.0000 5.0000 0.0000]" in s.text
