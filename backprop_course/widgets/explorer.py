"""`graph_explorer`: drag an input, watch the values and gradients on the graph change."""

from __future__ import annotations

from html import escape

from ..value import Value
from ..viz import draw_graph, fmt, render_svg
from ..viz.labels import DATA_COLOR, GRAD_COLOR
from .base import Explorer
from .inputs import sliders_for


class GraphExplorer(Explorer):
    """One slider per input of `fn`; every change runs forward, backward and a redraw.

    Besides the `Explorer` attributes: `.fn`, `.output` (the last output Value),
    `.inputs` (name -> input Value), `.graph` (the last `graphviz.Digraph`).
    """

    def __init__(self, fn, ranges, step=0.01, rankdir="LR", show_grad=True):
        self.fn, self.rankdir, self.show_grad = fn, rankdir, show_grad
        self.output, self.inputs, self.graph = None, {}, None
        super().__init__(sliders_for(fn, ranges, "graph_explorer", step))

    def _update(self):
        inputs = {name: Value(s.value, name) for name, s in self.sliders.items()}
        args = ", ".join(f"{n}={fmt(v.data)}" for n, v in inputs.items())
        try:
            out = self.fn(**inputs)
        except (ValueError, ArithmeticError) as err:
            raise ValueError(f"cannot evaluate the function at {args}: {err}") from None
        if not isinstance(out, Value):
            raise TypeError(f"the function returned {type(out).__name__} {out!r:.40}; it should return a Value "
                            "computed from its inputs (use Value methods like .exp(), not math.exp)")
        out.label = out.label or "f"
        out.backward()
        self.inputs, self.output = inputs, out
        self.graph = draw_graph(out, show_grad=self.show_grad, rankdir=self.rankdir)
        svg = render_svg(self.graph)
        name = out.label
        grads = [(f"∂{name}/∂{n}", v.grad) for n, v in inputs.items()]
        text = f"{name} = {fmt(out.data)}\n" + "  ".join(f"{k} = {fmt(g)}" for k, g in grads)
        html = (f'<pre style="margin:0"><span style="color:{DATA_COLOR}">{escape(name)} = {fmt(out.data)}</span>\n'
                + "  ".join(f'<span style="color:{GRAD_COLOR}">{escape(k)} = {fmt(g)}</span>' for k, g in grads)
                + "</pre>")
        self.show(svg, text, html)


def graph_explorer(fn, *, step=0.01, rankdir="LR", show_grad=True, **ranges):
    """Explore `fn` (a function of Values) with one slider per parameter.

    Each keyword names a parameter: `x=(lo, hi)` or `x=(lo, hi, start)` or `x=start`.
    Unnamed parameters get (-5, 5), starting at the parameter's default or the middle.

    >>> graph_explorer(lambda x, y, z: (x + y) * z, x=(-5, 5, -2), y=(-5, 5, 5), z=(-5, 5, -4))  # doctest: +SKIP

    Returns a `GraphExplorer` (an ipywidgets VBox): `.sliders[name].value` drives it,
    `.svg` and `.text` hold the picture and the readout ("f = ...", "∂f/∂x = ...").
    """
    return GraphExplorer(fn, ranges, step=step, rankdir=rankdir, show_grad=show_grad)
