"""The section-2 nudge: f moves by about h·∂f/∂x, exactly so where f is linear in x."""

import math

import pytest

from backprop_course.widgets import nudge_explorer


def test_lecture_point_x_times_y():
    w = nudge_explorer(lambda x, y: x * y, x=4, y=-3)
    assert w.value == -12.0 and w.gradient == {"x": -3.0, "y": 4.0}
    assert w.sliders["input"].value == "x" and w.sliders["h"].value == 0.1
    assert w.nudged == pytest.approx(4.1 * -3.0) and w.predicted == pytest.approx(-0.3)
    assert w.change == pytest.approx(w.predicted, abs=1e-12)  # x·y is linear in x: the prediction is exact
    assert "moved by -0.3" in w.text and "<svg" in w.svg and w.message == ""
    w.sliders["input"].value = "y"
    w.sliders["h"].value = -0.5
    assert w.nudged == pytest.approx(4.0 * -3.5) and w.predicted == pytest.approx(-2.0)


def test_curved_function_error_shrinks_like_h_squared():
    w = nudge_explorer(lambda x: x.exp(), x=0.0)
    errors = []
    for h in (0.4, 0.2, 0.1):
        w.sliders["h"].value = h
        assert w.nudged == pytest.approx(math.exp(h)) and w.predicted == pytest.approx(h)
        errors.append(abs(w.change - w.predicted))
    assert errors[0] > errors[1] > errors[2] > 0
    assert errors[1] / errors[2] == pytest.approx(4, rel=0.1)  # second order: half the h, a quarter the error


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="inputs are x, y"):
        nudge_explorer(lambda x, y: x * y, z=1)
    with pytest.raises(ValueError, match="h must be a number between -1 and 1"):
        nudge_explorer(lambda x: x, h=5)
    with pytest.raises(TypeError, match="needs a number"):
        nudge_explorer(lambda x: x, x="4")


def test_a_function_that_fails_is_shown_not_raised():
    w = nudge_explorer(lambda x: (x - 0.5).log(), x=1.0)
    w.sliders["h"].value = -0.9   # log of a negative number
    assert w.message and "cannot evaluate" in w.message
    w.sliders["h"].value = 0.5
    assert w.message == "" and w.nudged == pytest.approx(math.log(1.0))
