"""Frames one slider step away, which the browser shows before the kernel answers, are the kernel's own."""

import math
import time

import pytest

from backprop_course.value import Value
from backprop_course.viz import fmt
from backprop_course.widgets import (
    backward_stepper,
    graph_explorer,
    matmul_slice_explorer,
    nudge_explorer,
    relu_vjp_explorer,
    sigmoid_explorer,
)
from backprop_course.widgets.base import AHEAD_BUDGET_S

EXPLORERS = {
    "graph": lambda: graph_explorer(lambda x, y, z: (x + y) * z, x=(-5, 5, -2), y=(-5, 5, 5), z=(-5, 5, -4)),
    "log at the edge": lambda: graph_explorer(lambda x: x.log(), x=(-1, 1, 0.5)),  # x - 0.5 = 0 is outside log's domain
    "stepper": lambda: backward_stepper(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4),
    "sigmoid": sigmoid_explorer,
    "relu": relu_vjp_explorer,
    "matmul": matmul_slice_explorer,
    "nudge": lambda: nudge_explorer(lambda x, y: x * y + x.tanh(), x=0.5, y=-3),
}


def state(e):
    return e.svg, e.text, e.message, dict(e.view.frame)


@pytest.mark.parametrize("make", EXPLORERS.values(), ids=EXPLORERS.keys())
def test_each_frame_ahead_is_what_moving_the_slider_shows(make):
    e = make()
    ahead = list(e.view.nearby)
    moved = sum(isinstance(v, (int, float)) for v in e.view.frame["values"])
    assert ahead and len(ahead) <= 2 * moved  # one step either way per slider, within its range
    here = dict(zip(e.sliders, e.view.frame["values"], strict=True))  # as the browser sees them (a menu's index)
    shown = state(e)
    for frame in ahead:
        (name,) = [n for n, v in zip(here, frame["values"], strict=True) if v != here[n]]
        assert math.isclose(abs(frame["values"][list(here).index(name)] - here[name]), e.sliders[name].step)
        e.sliders[name].value = frame["values"][list(here).index(name)]
        assert e.view.frame == frame, name  # readout, picture and dimming all equal
        e.sliders[name].value = here[name]
        assert state(e) == shown  # and back again


def test_computing_frames_ahead_leaves_the_explorer_as_it_was():
    e = sigmoid_explorer(x=1.0, upstream=2.0)
    assert len(e.view.nearby) == 4  # the last computed is upstream + 0.1
    assert e.values == {"x": 1.0, "upstream": 2.0}
    assert e.downstream == 2.0 * e.local and e.text.endswith(f"= {fmt(e.downstream)}")
    assert e.view.frame["values"] == [1.0, 2.0] and fmt(e.downstream) in e.view.frame["readout"]


@pytest.mark.parametrize(("seconds", "most"), [(AHEAD_BUDGET_S * 1.2, 0), (AHEAD_BUDGET_S * 0.6, 1)])
def test_frames_ahead_stay_within_their_budget_when_an_update_is_slow(seconds, most):
    def slow(x):
        time.sleep(seconds)
        return x * Value(2.0)

    e = graph_explorer(slow, x=(-1, 1, 0))  # two frames one step away
    assert len(e.view.nearby) <= most
    assert e.text.startswith("f = 0.0000")


def test_a_menu_is_matched_by_its_index_as_its_browser_model_holds_it():
    e = matmul_slice_explorer()
    assert e.view.value_attrs == ["index", "value", "value"]
    e.sliders["wrt"].value = "W"
    assert e.view.frame["values"][0] == e.sliders["wrt"].index == 1
    assert all(f["values"][0] == 1 for f in e.view.nearby)


def test_a_float_slider_is_read_without_the_noise_of_adding_steps():
    e = graph_explorer(lambda x: x.log(), x=(-1, 1, 0.5), step=0.1)
    for _ in range(5):  # 0.5 - 0.1 - 0.1 - 0.1 - 0.1 - 0.1 is 2.8e-17 in floating point
        e.sliders["x"].value -= 0.1
    assert e.sliders["x"].value != 0 and e.values == {"x": 0.0}
    assert "log is only defined for positive numbers" in e.message  # computed at the 0 the slider shows
    assert [f["values"] for f in e.view.nearby] == [[-0.1], [0.1]]
