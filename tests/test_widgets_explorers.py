"""The sigmoid, ReLU-VJP, matmul-slice and Jacobian-size explorers."""

import math
import re

import numpy as np
import pytest

from backprop_course.viz import fmt
from backprop_course.widgets import (
    human_bytes,
    jacobian_size_calculator,
    matmul_slice_explorer,
    relu_vjp_explorer,
    sigmoid_explorer,
)

X = np.array([[2, 1, -3], [-3, 4, 2]], dtype=float)
W = np.array([[3, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]], dtype=float)
G = np.array([[2, 3, -3, 9], [-8, 1, 4, 6]], dtype=float)


def sigma(x):
    return 1 / (1 + math.exp(-x))


def test_sigmoid_explorer_lecture_point_and_saturation():
    e = sigmoid_explorer()
    assert "σ(1.0000) = 0.7311" in e.text and "(1-σ)σ = 0.1966" in e.text
    assert e.svg.lstrip().startswith("<?xml") and "<svg" in e.svg
    assert "saturated" not in e.text
    e.sliders["x"].value = 8.0
    e.sliders["upstream"].value = 2.0
    local = (1 - sigma(8.0)) * sigma(8.0)
    assert e.local == pytest.approx(local, rel=1e-12)
    assert f"= {fmt(2 * local)}" in e.text and "saturated" in e.text
    before, background = e.svg, e.view.background
    e.sliders["x"].value = -0.5
    assert e.view.background == background and "<circle" in e.view.frame["picture"]  # only the moving marks are redrawn
    assert e.svg != before and f"σ(-0.5000) = {fmt(sigma(-0.5))}" in e.text


def test_relu_explorer_lecture_vectors():
    e = relu_vjp_explorer()
    assert "y = relu(x) = [1, 0, 3, 0]" in e.text
    assert "downstream dL/dx = upstream * (x > 0) = [4, 0, 5, 0]" in e.text
    np.testing.assert_array_equal(e.jacobian, np.diag([1.0, 0, 1, 0]))
    assert "<svg" in e.svg
    e.sliders["x[1]"].value = 2.5  # revive the dead unit
    e.sliders["upstream[3]"].value = -7
    np.testing.assert_array_equal(e.downstream, [4, -1, 5, 0])
    assert "[4, -1, 5, 0]" in e.text and "diag([1, 1, 1, 0])" in e.text
    assert not re.search(r"-0(?![.\d])", e.text)  # the mask multiplies -7 by 0: printed as 0, never -0
    assert e.sliders["x[0]"].style.description_width == "initial"  # "upstream[3]" in full
    assert len(e.view.frame["picture"]) < 5000  # a press sends the moving marks, not the whole figure
    assert e.svg.startswith(e._plot.background[:500]) and "<rect" in e.svg
    with pytest.raises(ValueError, match="same length"):
        relu_vjp_explorer([1, 2], [1, 2, 3])


def test_matmul_slice_explorer_lecture_entries():
    e = matmul_slice_explorer()
    assert e.text.startswith("dL/dx[1,1] = sum(∂y/∂x[1,1] * dL/dy) = 3·2 + 2·3 + 1·(-3) + (-1)·9 = 0")
    np.testing.assert_array_equal(e.slice, [[3, 2, 1, -1], [0, 0, 0, 0]])
    e.sliders["i"].value, e.sliders["j"].value = 2, 3
    assert e.value == -30 and "= -30\n" in e.text
    np.testing.assert_array_equal(e.full, G @ W.T)
    e.sliders["wrt"].value = "W"
    e.sliders["j"].value = 4
    dw = X.T @ G
    assert e.value == dw[1, 3] and f"= {dw[1, 3]:g}\n" in e.text
    for i in range(1, 4):
        for j in range(1, 5):
            e.sliders["i"].value, e.sliders["j"].value = i, j
            assert e.value == dw[i - 1, j - 1]
    e.sliders["wrt"].value = "x"  # back to x: the index range shrinks to 2×3
    assert (e.sliders["i"].max, e.sliders["j"].max) == (2, 3)
    assert e.value == (G @ W.T)[e.sliders["i"].value - 1, e.sliders["j"].value - 1]
    assert "<table" in e.view.frame["picture"]


def test_jacobian_size_calculator_lecture_sizes():
    e = jacobian_size_calculator()
    assert "dy/dx: (64·4096)×(64·4096) = 68,719,476,736 numbers = 256 GiB (274.9 GB)" in e.text
    assert "dy/dW" in e.text and "16 TiB" in e.text
    assert e.sizes["dy/dx"] == 2**36 * 4
    e.sliders["N"].value, e.sliders["D"].value, e.sliders["M"].value = 2, 3, 4
    e.sliders["dtype"].value = "float64"
    assert e.sizes == {"dy/dx": 6 * 8 * 8, "dy/dW": 12 * 8 * 8, "dL/dy": 64, "dL/dx": 48, "dL/dW": 96}
    assert "(2·3)×(2·4) = 48 numbers = 384 bytes" in e.text
    assert human_bytes(1536) == "1.5 KiB"


def test_moving_marks_are_clipped_to_their_axes_as_matplotlib_clips_them():
    e = sigmoid_explorer(x=9.9)  # the tangent runs 2 units either side of x, past the axes at x = 10
    ax = e._fig.axes[0]
    scale = 72 / e._fig.dpi
    left, right = ax.bbox.x0 * scale, ax.bbox.x1 * scale
    boxes = re.findall(r'<svg x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', e.view.frame["picture"])
    assert len(boxes) == 3  # tangent, σ point, local-gradient point: each in the axes' box
    assert all(abs(float(x) - left) < 0.1 and abs(float(x) + float(w) - right) < 0.1 for x, w in boxes)
    tangent = re.search(r'<polyline points="([^"]+)"', e.view.frame["picture"]).group(1)
    assert max(float(p.split(",")[0]) for p in tangent.split()) > right  # it is drawn long, and clipped
