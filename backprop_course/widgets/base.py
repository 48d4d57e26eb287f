"""What every explorer shares: named controls, a picture, a readout, and no exceptions."""

from __future__ import annotations

import math
import time
from html import escape

import ipywidgets as widgets

from ..viz.fit import fit_html
from .view import FrameView

ERROR_COLOR = "#c62828"
# A saved notebook keeps an explorer's output, but its widgets live in the kernel: reopened without them,
# JupyterLab would print "Error displaying widget: model not found". The text/plain of the output (shown where
# widgets are not rendered) and a style saved beside it (which replaces that line in JupyterLab) say instead:
STALE = "This explorer needs its kernel: run its cell again (Shift+Enter)."
_MISSING = ".jp-OutputArea-output.jupyter-widgets:not(:has(*))"  # the widget renderer's text-only error line
STALE_STYLE = (f'<style>{_MISSING}{{font-size:0}}{_MISSING}::after{{content:"{STALE}";'
               f'font-size:var(--jp-content-font-size1,14px)}}</style>')
SMOOTH_S = 0.1  # an update faster than this keeps up with a dragged slider
AHEAD_BUDGET_S = 0.1  # the kernel time the frames one step away may take after an update


class Explorer(widgets.VBox):
    """An ipywidgets box with a standard face for notebooks and tests.

    - `.sliders`: dict name -> input widget (set `.value` to drive it).
    - `.svg`: the current picture as SVG text ("" if there is none).
    - `.text`: the current readout as plain text.
    - `.message`: "" or the message shown instead of raising (for example log of a negative).
    - `.update_seconds`: how long the last update took.
    - `.view`: the `FrameView` showing readout and picture; it also holds the frames one slider step
      away, computed after each update when that is cheap, so a key press repaints at once.

    A subclass's `_update` reads the controls from `self.values` (name -> value) and calls `show` or
    `show_plot`; it may run for values one step away, whose frames are kept and whose other effects on
    the explorer's attributes are undone.
    """

    def __init__(self, sliders, controls=None):
        self.sliders = dict(sliders)
        self.values = {}
        self.view = FrameView(sliders=list(self.sliders.values()),
                              value_attrs=["value" if "value" in c.keys else "index" for c in self.sliders.values()])
        self.svg = ""
        self.text = ""
        self.message = ""
        self.update_seconds = 0.0
        self._frame = None
        self._ahead = False  # True while computing a frame one step away
        self._busy = False
        box = controls if controls is not None else widgets.VBox(list(self.sliders.values()))
        super().__init__(children=[box, self.view])
        for control in self.sliders.values():
            control.observe(self._changed, names="value")
        self.refresh()
        first = self.update_seconds
        self.refresh()  # the first update pays one-off costs (imports, caches); time a warm one too
        self._choose_continuous_update(min(first, self.update_seconds))

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = STALE
        return bundle

    def _ipython_display_(self):
        """The widget, then the style that turns a missing widget's error line into `STALE`."""
        from IPython.display import HTML, display

        display(self._repr_mimebundle_(), raw=True)
        display(HTML(STALE_STYLE))

    def _update(self):
        """Recompute and redraw for `self.values`, through `show`. May raise; `refresh` catches."""
        raise NotImplementedError

    def refresh(self):
        """Update for the controls' values, then send the frames one step away."""
        if self._busy:  # an update that adjusts its own controls must not recurse
            return
        self._busy = True
        try:
            start = time.perf_counter()
            values = self._control_values()
            frame = self._frame_for(values)
            if self._control_values() != values:  # the update adjusted its own controls (a range that shrank)
                frame = self._frame_for(self._control_values())
            self.update_seconds = time.perf_counter() - start
            self.view.frame = frame
            ahead, start = [], time.perf_counter()
            for values in self._nearby_values():
                if time.perf_counter() - start + self.update_seconds > AHEAD_BUDGET_S:
                    break  # an expensive function: the rest waits for the kernel
                ahead.append(self._frame_ahead(values))
            self.view.nearby = [f for f in ahead if f is not None]
        finally:
            self._busy = False

    def _frame_for(self, values):
        self.values = values
        self._frame = None
        try:
            self._update()
            self.message = ""
        except _NotAhead:
            raise
        except Exception as err:  # noqa: BLE001 - a widget must never raise into the notebook
            self.show_error(f"{type(err).__name__}: {err}" if not isinstance(err, (ValueError, ArithmeticError))
                            else str(err))
        # the values as the browser's models hold them: a menu's model holds its index, not its value
        shown = [values[n] if key == "value" else _menu_index(c, values[n])
                 for (n, c), key in zip(self.sliders.items(), self.view.value_attrs, strict=True)]
        return {"values": shown, **self._frame}

    def _frame_ahead(self, values):
        """The frame for `values`, leaving the explorer as it was; None if it needs a new background."""
        kept = dict(vars(self))
        self._ahead = True
        try:
            return self._frame_for(values)
        except _NotAhead:
            return None
        finally:
            self._ahead = False
            for name in [n for n in vars(self) if n not in kept]:
                delattr(self, name)
            for name, value in kept.items():
                if vars(self).get(name) is not value:
                    setattr(self, name, value)

    def _nearby_values(self):
        """The controls' values with one slider moved a step either way (what an arrow key does),
        the sliders in order."""
        now, out = self._control_values(), []
        for name, c in self.sliders.items():
            if isinstance(c, (widgets.FloatSlider, widgets.IntSlider)):
                for v in (now[name] - c.step, now[name] + c.step):
                    if c.min <= v <= c.max:
                        out.append({**now, name: _on_grid(c, v)})
        return out

    def _control_values(self):
        return {name: _on_grid(c, c.value) for name, c in self.sliders.items()}

    def _changed(self, change):
        self.refresh()

    def _put(self, readout, picture, dim=False):
        self._frame = {"readout": _panel(readout), "picture": picture, "dim": dim}

    def show(self, svg, text, html=None, picture=None):
        """Display a picture and a readout (`html` is a styled version of `text`; `picture`, HTML shown
        instead of the SVG)."""
        self.svg, self.text = svg, text
        self._put(html if html is not None else _pre(text), fit_html(svg) if picture is None else picture)

    def show_plot(self, plot, text, html=None):
        """Display a `LivePlot`: its background, sent only when it changed, and its overlay above it."""
        background = _scaled(plot.background)
        if background != self.view.background:
            if self._ahead:
                raise _NotAhead
            self.view.background = background
        overlay = plot.overlay()
        self.svg, self.text = plot.svg(overlay), text
        self._put(html if html is not None else _pre(text), _scaled(overlay, "pointer-events:none;"))

    def show_error(self, message):
        """Keep the last picture (dimmed) and say what went wrong instead of raising."""
        self.message = self.text = message
        self._put(f'<pre style="color:{ERROR_COLOR};margin:0">⚠ {escape(message)}</pre>',
                  self.view.frame.get("picture", ""), dim=True)

    def _choose_continuous_update(self, seconds):
        # Live updates while dragging only if an update is fast enough to keep up;
        # otherwise update once on release, so the slider never lags behind the mouse.
        live = seconds < SMOOTH_S
        for control in self.sliders.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = live


def _on_grid(control, value):
    """A float slider's value without the rounding noise of adding steps (0.5 - 5 × 0.1 gives 2.8e-17,
    not 0), so Python's step and the browser's reach the same number, and a function with an edge at 0
    (log, relu) is computed at the 0 the slider shows."""
    if not isinstance(control, widgets.FloatSlider) or not control.step:
        return value
    return round(value, max(0, -math.floor(math.log10(control.step))) + 6) + 0.0  # + 0.0: never -0


def _menu_index(menu, value):
    """The index of `value` among a menu's options (given as values or as (label, value) pairs), as its
    browser model holds it; a frame ahead may be for another option than the one selected."""
    values = [o[1] if isinstance(o, tuple) else o for o in menu.options]
    return values.index(value) if value in values else menu.index


class _NotAhead(Exception):
    """A frame one step away would need a new background: leave it to the kernel."""


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
