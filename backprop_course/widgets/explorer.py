"""`graph_explorer`: drag an input, watch the values and gradients on the graph change."""

from __future__ import annotations

from html import escape

from ..autodiff import topological_order
from ..viz import fmt
from ..viz.labels import DATA_COLOR, GRAD_COLOR, name_intermediates
from ..viz.live import LiveGraph
from .base import Explorer
from .inputs import call_on_values, sliders_for


class GraphExplorer(Explorer):
    """One slider per input of `fn`; every change runs forward, backward and a redraw.

    Besides the `Explorer` attributes: `.fn`, `.output` (the last output Value) and
    `.inputs` (name -> input Value). The graph is laid out once and then updated in place.
    """

    def __init__(self, fn, ranges, step="auto", rankdir="auto", show_grad=True):
        self.fn = fn
        self.output, self.inputs = None, {}
        self._live = LiveGraph(show_grad=show_grad, rankdir=rankdir)
        super().__init__(sliders_for(fn, ranges, "graph_explorer", step))

    def _update(self):
        out, inputs = call_on_values(self.fn, self.values)
        out.label = out.label or "f"
        out.backward()
        name_intermediates(topological_order(out))
        self.inputs, self.output = inputs, out
        svg = self._live.svg(out)
        name = out.label
        grads = [(f"∂{name}/∂{n}", v.grad) for n, v in inputs.items()]
        text = f"{name} = {fmt(out.data)}\n" + "  ".join(f"{k} = {fmt(g)}" for k, g in grads)
        html = (f'<pre style="margin:0"><span style="color:{DATA_COLOR}">{escape(name)} = {fmt(out.data)}</span>\n'
                + "  ".join(f'<span style="color:{GRAD_COLOR}">{escape(k)} = {fmt(g)}</span>' for k, g in grads)
                + "</pre>")
        self.show(svg, text, html)


def graph_explorer(fn, *, step="auto", rankdir="auto", show_grad=True, **ranges):
    """Explore `fn` (a function of Values) with one slider per parameter.

    Each keyword names a parameter: `x=(lo, hi)` or `x=(lo, hi, start)` or `x=start`.
    Unnamed parameters get (-5, 5), starting at the parameter's default or the middle.
    `step="auto"` takes about 20 arrow-key presses across a range (0.5 across -5…5), so round values
    are a few presses away; type into a slider's number for anything finer. Unnamed intermediate
    nodes are named q, r, s, … as the lecture names x + y "q".

    >>> graph_explorer(lambda x, y, z: (x + y) * z, x=(-5, 5, -2), y=(-5, 5, 5), z=(-5, 5, -4))  # doctest: +SKIP

    Returns a `GraphExplorer` (an ipywidgets VBox): `.sliders[name].value` drives it,
    `.svg` and `.text` hold the picture and the readout ("f = ...", "∂f/∂x = ...").
    """
    return GraphExplorer(fn, ranges, step=step, rankdir=rankdir, show_grad=show_grad)
