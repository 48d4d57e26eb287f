"""`nudge_explorer`: the derivative as a sensitivity. Nudge one input by h; the output moves by about h·∂f/∂input."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..checks import is_real
from ..viz import fmt
from ..viz.labels import DATA_COLOR, GRAD_COLOR
from .base import Explorer
from .inputs import call_on_values, parameter_names
from .plots import LivePlot, new_figure

H_MAX = 1.0  # the slider's range for h, and (a little wider) the picture's


class NudgeExplorer(Explorer):
    """A slider `h` and a menu `input`: f at the point, f after nudging that input by h, and h·∂f/∂input.

    Besides the `Explorer` attributes: `.value` (f at the point), `.gradient` (name -> ∂f/∂name, from one backward
    pass), `.nudged` (f after the nudge), `.change` (nudged − value) and `.predicted` (h·∂f/∂input).
    """

    def __init__(self, fn, point, h):
        self.fn, self.point = fn, dict(point)
        names = list(self.point)
        sliders = {
            "input": widgets.Dropdown(options=names, value=names[0], description="nudge"),
            "h": widgets.FloatSlider(value=h, min=-H_MAX, max=H_MAX, step=0.01, description="h",
                                     readout_format=".2f"),
        }
        self.value, self.gradient = self._value_and_gradient()
        self._fig = new_figure(5.0, 2.8)
        self._ax = self._fig.add_subplot()
        self._drawn_for = None
        super().__init__(sliders)

    def _call(self, at):
        """f at `at` (name -> number) as a Value, and the input Values it was computed from."""
        return call_on_values(self.fn, at)

    def _data_or_nan(self, at):
        try:
            return self._call(at)[0].data
        except ValueError:   # outside f's domain (log of a negative, say): a gap in the curve
            return float("nan")

    def _value_and_gradient(self):
        out, inputs = self._call(self.point)
        out.backward()
        return out.data, {n: v.grad for n, v in inputs.items()}

    def _draw(self, name):
        """The curve of f along `name` near the point, and its tangent line (slope ∂f/∂name)."""
        ax, x0, slope = self._ax, self.point[name], self.gradient[name]
        ax.clear()
        s = np.linspace(-1.2 * H_MAX, 1.2 * H_MAX, 97)
        curve = [self._data_or_nan({**self.point, name: x0 + d}) for d in s]
        ax.plot(x0 + s, curve, color=DATA_COLOR, label="f")
        ax.plot(x0 + s, self.value + slope * s, "--", color=GRAD_COLOR, lw=1, label=f"tangent, slope ∂f/∂{name}")
        ax.plot([x0], [self.value], "o", color="#333333")
        (self._moved,) = ax.plot([], [], "o", color=DATA_COLOR)
        (self._predicted_point,) = ax.plot([], [], "o", mfc="none", color=GRAD_COLOR)
        (self._gap,) = ax.plot([], [], "-", color="#999999", lw=2)
        ax.set_xlabel(name)
        ax.set_ylabel("f")
        ax.legend(loc="best", fontsize=8)
        self._plot = LivePlot(self._fig, [self._gap, self._predicted_point, self._moved])
        self._drawn_for = name

    def _update(self):
        name, h = self.values["input"], float(self.values["h"])
        if self._drawn_for != name:
            self._draw(name)
        x0, slope = self.point[name], self.gradient[name]
        self.nudged = self._call({**self.point, name: x0 + h})[0].data
        self.change, self.predicted = self.nudged - self.value, h * slope
        self._moved.set_data([x0 + h], [self.nudged])
        self._predicted_point.set_data([x0 + h], [self.value + self.predicted])
        self._gap.set_data([x0 + h, x0 + h], [self.nudged, self.value + self.predicted])
        at = ", ".join(f"{n} = {fmt(v)}" for n, v in self.point.items())
        text = (f"f({at}) = {fmt(self.value)},  ∂f/∂{name} = {fmt(slope)}\n"
                f"nudge {name} by h = {fmt(h)}:  f becomes {fmt(self.nudged)}, so it moved by {fmt(self.change)}\n"
                f"h·∂f/∂{name} = {fmt(h)} × {fmt(slope)} = {fmt(self.predicted)}  ({self._gap_text()})")
        self.show_plot(self._plot, text)

    def _gap_text(self):
        gap = abs(self.change - self.predicted)
        return "the same, up to rounding" if gap < 1e-12 else f"off by {gap:.2g}"


def nudge_explorer(fn, *, h=0.1, **point):
    """Nudge one input of `fn` (a function of Values) by h and compare the change of f with h·∂f/∂input.

    Each keyword gives an input's value at the point; inputs without one take the parameter's default, else 0.

    >>> nudge_explorer(lambda x, y: x * y, x=4, y=-3)  # doctest: +SKIP

    The gradient comes from one backward pass at the point; the nudged value from evaluating f again.
    """
    names, defaults = parameter_names(fn, "nudge_explorer")
    unknown = sorted(set(point) - set(names))
    if unknown:
        raise TypeError(f"nudge_explorer got values for {', '.join(unknown)}, but the function's inputs are "
                        f"{', '.join(names)}")
    if not (is_real(h) and -H_MAX <= h <= H_MAX):
        raise ValueError(f"h must be a number between {-H_MAX:g} and {H_MAX:g}, got {h!r}")
    bad = [n for n, v in point.items() if not is_real(v)]
    if bad:
        raise TypeError(f"nudge_explorer needs a number for each input; got {point[bad[0]]!r} for {bad[0]!r}")
    return NudgeExplorer(fn, {n: float(point.get(n, defaults.get(n, 0.0))) for n in names}, float(h))
