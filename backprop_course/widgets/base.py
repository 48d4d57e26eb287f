"""What every explorer shares: named controls, a picture, a readout, and no exceptions."""

from __future__ import annotations

import time
from html import escape

import ipywidgets as widgets

from ..viz.fit import fit_html

ERROR_COLOR = "#c62828"
SMOOTH_S = 0.1  # an update faster than this keeps up with a dragged slider


class Explorer(widgets.VBox):
    """An ipywidgets box with a standard face for notebooks and tests.

    - `.sliders`: dict name -> input widget (set `.value` to drive it).
    - `.svg`: the current picture as SVG text ("" if there is none).
    - `.text`: the current readout as plain text.
    - `.message`: "" or the message shown instead of raising (for example log of a negative).
    - `.update_seconds`: how long the last update took.
    """

    def __init__(self, sliders, controls=None, extra=(), layered=False):
        self.sliders = dict(sliders)
        self.picture = widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))
        canvas = self.picture
        if layered:  # a LivePlot: its background once, and the small overlay above it on every update
            self.overlay = widgets.HTML(layout=widgets.Layout(grid_area="picture"))
            self.picture.layout.grid_area = "picture"
            canvas = widgets.GridBox([self.picture, self.overlay],
                                     layout=widgets.Layout(grid_template_areas='"picture"', max_width="100%"))
        self.readout = widgets.HTML()
        self.svg = ""
        self.text = ""
        self.message = ""
        self.update_seconds = 0.0
        self._busy = False
        box = controls if controls is not None else widgets.VBox(list(self.sliders.values()))
        super().__init__(children=[box, self.readout, *extra, canvas])
        for control in self.sliders.values():
            control.observe(self._changed, names="value")
        self.refresh()
        first = self.update_seconds
        self.refresh()  # the first update pays one-off costs (imports, caches); time a warm one too
        self._choose_continuous_update(min(first, self.update_seconds))

    def _update(self):
        """Recompute and redraw; sets svg/text via `show`. May raise; `refresh` catches."""
        raise NotImplementedError

    def refresh(self):
        if self._busy:  # an update that adjusts its own controls must not recurse
            return
        self._busy = True
        start = time.perf_counter()
        try:
            self._update()
            self.message = ""
        except Exception as err:  # noqa: BLE001 - a widget must never raise into the notebook
            self.show_error(f"{type(err).__name__}: {err}" if not isinstance(err, (ValueError, ArithmeticError))
                            else str(err))
        finally:
            self._busy = False
        self.update_seconds = time.perf_counter() - start

    def _changed(self, change):
        self.refresh()

    def show(self, svg, text, html=None, picture=None):
        """Display a picture and a readout (`html` is a styled version of `text`; `picture`, HTML shown
        instead of the SVG). Each widget is sent only when it changed."""
        self.svg = svg
        shown = fit_html(svg) if picture is None else picture
        if self.picture.value != shown:
            self.picture.value = shown
        self.text = text
        self.readout.value = _panel(html if html is not None else _pre(text))

    def show_plot(self, plot, text, html=None):
        """Display a `LivePlot`: its background only when it is not shown yet, then its overlay."""
        background = _scaled(plot.background)
        if self.picture.value != background:
            self.picture.value = background
        self.overlay.value = _scaled(plot.overlay(), 'pointer-events:none;')
        self.svg = plot.svg()
        self.text = text
        self.readout.value = _panel(html if html is not None else _pre(text))

    def show_error(self, message):
        """Keep the last picture (dimmed) and say what went wrong instead of raising."""
        self.message = message
        self.text = message
        self.readout.value = _panel(f'<pre style="color:{ERROR_COLOR};margin:0">⚠ {escape(message)}</pre>')
        self.picture.value = f'<div style="opacity:0.3">{fit_html(self.svg)}</div>' if self.svg else ""

    def _choose_continuous_update(self, seconds):
        # Live updates while dragging only if an update is fast enough to keep up;
        # otherwise update once on release, so the slider never lags behind the mouse.
        live = seconds < SMOOTH_S
        for control in self.sliders.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = live


def _scaled(svg, style=""):
    """An SVG inline, scaled down to its cell's width."""
    start = svg.find("<svg")
    return f'<svg style="{style}display:block;max-width:100%;height:auto"{svg[start + 4:]}'


def _panel(html):
    """Readouts sit on a light panel, as the pictures do, so their green and red keep a contrast of
    at least 4.5:1 (5.1 and 5.6) in light and dark themes alike."""
    return (f'<div class="bpc-readout" style="background:#ffffff;color:#1f1f1f;padding:4px 8px;'
            f'border-radius:4px;display:inline-block;max-width:100%">{html}</div>')


def _pre(text):
    return f'<pre style="margin:0">{escape(text)}</pre>'
