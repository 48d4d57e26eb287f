"""`sigmoid_explorer`: σ, its local gradient (1-σ)σ, and where it saturates."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..value import Value
from ..viz import fmt
from ..viz.labels import DATA_COLOR, GRAD_COLOR
from .base import Explorer
from .plots import LivePlot, new_figure

SATURATED = 0.01  # local gradients below this barely let the upstream gradient through


class SigmoidExplorer(Explorer):
    """Sliders `x` and `upstream`; the picture shows σ(x), σ'(x) and the saturated regions.

    Also exposes `.sigma`, `.local` ((1-σ)σ at x) and `.downstream` (upstream × local).
    """

    def __init__(self, x, upstream):
        sliders = {
            "x": widgets.FloatSlider(value=x, min=-10, max=10, step=0.1, description="x"),
            "upstream": widgets.FloatSlider(value=upstream, min=-5, max=5, step=0.1, description="upstream"),
        }
        self._fig = new_figure()
        ax = self._fig.add_subplot()
        grid = np.linspace(-10, 10, 401)
        s = 1 / (1 + np.exp(-grid))
        ax.plot(grid, s, color=DATA_COLOR, label="σ(x)")
        ax.plot(grid, (1 - s) * s, color=GRAD_COLOR, label="local gradient (1-σ)σ")
        edge = np.log((1 - np.sqrt(1 - 4 * SATURATED)) / (1 + np.sqrt(1 - 4 * SATURATED)))  # where (1-σ)σ = 0.01
        for lo, hi in ((-10, edge), (-edge, 10)):
            ax.axvspan(lo, hi, color="#bbbbbb", alpha=0.3, lw=0)
        ax.text(-9.7, 0.9, "saturated", color="#555555")
        ax.text(7.0, 0.1, "saturated", color="#555555")
        ax.set_xlim(-10, 10)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("x")
        ax.legend(loc="center left", fontsize=8)
        (self._point,) = ax.plot([], [], "o", color=DATA_COLOR)
        (self._grad_point,) = ax.plot([], [], "o", color=GRAD_COLOR)
        (self._tangent,) = ax.plot([], [], "--", color="#555555", lw=1)
        self._plot = LivePlot(self._fig, [self._tangent, self._point, self._grad_point])
        super().__init__(sliders)

    def _update(self):
        x, up = self.values["x"], self.values["upstream"]
        xv = Value(x, "x")
        s = xv.sigmoid()
        s.backward()  # seeds 1, so x's gradient is the local gradient
        self.sigma, self.local, self.downstream = s.data, xv.grad, up * xv.grad
        self._point.set_data([x], [s.data])
        self._grad_point.set_data([x], [self.local])
        span = np.array([x - 2, x + 2])
        self._tangent.set_data(span, s.data + self.local * (span - x))
        text = (f"σ({fmt(x)}) = {fmt(s.data)}\n"
                f"local gradient (1-σ)σ = {fmt(self.local)}  (never more than 0.25, reached at x = 0)\n"
                f"downstream = upstream {fmt(up)} × local {fmt(self.local)} = {fmt(self.downstream)}")
        if self.local < SATURATED:
            text += "\nsaturated: the local gradient is nearly 0, so almost no gradient flows back"
        self.show_plot(self._plot, text)


def sigmoid_explorer(x=1.0, upstream=1.0):
    """Move x along the sigmoid and see σ(x), the local gradient (1-σ)σ and saturation.

    Defaults match the lecture: σ(1) = 0.7311 with local gradient 0.1966.
    """
    return SigmoidExplorer(float(x), float(upstream))
