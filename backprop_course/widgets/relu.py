"""`relu_vjp_explorer`: the ReLU Jacobian is diagonal, so backprop never builds it."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle

from ..tensor import Tensor
from .base import Explorer
from .plots import LivePlot, new_figure


def vec(a):
    """A short vector for the readout: [4, 0, 5, 0]."""
    return "[" + ", ".join(f"{v:g}" for v in np.asarray(a, dtype=float) + 0.0) + "]"  # + 0.0 drops -0


GREENS = colormaps["Greens"]


class ReluVJPExplorer(Explorer):
    """Sliders `x[i]` and `upstream[i]`; the picture is the Jacobian dy/dx as a heatmap.

    Also exposes `.y`, `.jacobian` (built only for the picture) and `.downstream`,
    which comes from the library's backward pass (upstream masked by x > 0), not from the Jacobian.
    """

    def __init__(self, x, upstream, lo=-10.0, hi=10.0):
        sliders = {}
        for name, values in (("x", x), ("upstream", upstream)):
            for i, v in enumerate(values):
                sliders[f"{name}[{i}]"] = widgets.FloatSlider(
                    value=v, min=lo, max=hi, step=0.5, description=f"{name}[{i}]",
                    style={"description_width": "initial"})  # "upstream[0]" in full
        n = len(x)
        rows = widgets.HBox([widgets.VBox([sliders[f"x[{i}]"] for i in range(n)]),
                             widgets.VBox([sliders[f"upstream[{i}]"] for i in range(n)])])
        self.n = n
        self._fig = new_figure(3.2 + 0.3 * n, 2.6 + 0.3 * n)
        ax = self._fig.add_subplot()
        # One square per entry, as patches rather than an image, so a LivePlot can recolour them.
        self._squares = {(r, c): ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1)) for r in range(n) for c in range(n)}
        self._cells = {(r, c): ax.text(c, r, "", ha="center", va="center") for r in range(n) for c in range(n)}
        ax.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), aspect="equal")
        ax.set_xticks(range(n), [f"x{i}" for i in range(n)])
        ax.set_yticks(range(n), [f"y{i}" for i in range(n)])
        ax.set_title("Jacobian dy/dx (diagonal)", fontsize=10)
        self._plot = LivePlot(self._fig, [*self._squares.values(), *self._cells.values()])
        super().__init__(sliders, rows)

    def _update(self):
        x = np.array([self.values[f"x[{i}]"] for i in range(self.n)])
        g = np.array([self.values[f"upstream[{i}]"] for i in range(self.n)])
        xt = Tensor(x, requires_grad=True)
        y = xt.relu()
        y.backward(g)
        self.y, self.downstream = y.data, xt.grad.data
        self.jacobian = np.diag((x > 0).astype(float))
        for (r, c), v in np.ndenumerate(self.jacobian):
            self._squares[r, c].set_facecolor(GREENS(v))
            self._cells[r, c].set_text(f"{v + 0.0:g}")
            self._cells[r, c].set_color("white" if v else "#555555")
        text = (f"x = {vec(x)}\ny = relu(x) = {vec(self.y)}\n"
                f"Jacobian = diag(x > 0) = diag({vec(np.diag(self.jacobian))})\n"
                f"upstream dL/dy = {vec(g)}\n"
                f"downstream dL/dx = upstream * (x > 0) = {vec(self.downstream)}   (no Jacobian built)")
        self.show_plot(self._plot, text)


def relu_vjp_explorer(x=(1, -2, 3, -1), upstream=(4, -1, 5, 9)):
    """Input and upstream vectors as sliders, the diagonal Jacobian as a heatmap, and the
    downstream gradient computed as a VJP. Defaults are the lecture's: downstream [4, 0, 5, 0]."""
    x, upstream = np.asarray(x, dtype=float), np.asarray(upstream, dtype=float)
    if x.ndim != 1 or x.shape != upstream.shape or not 1 <= x.size <= 8:
        raise ValueError(f"x and upstream must be vectors of the same length (1 to 8); got shapes "
                         f"{x.shape} and {upstream.shape}")
    lo, hi = min(-10.0, x.min(), upstream.min()), max(10.0, x.max(), upstream.max())
    return ReluVJPExplorer(x.tolist(), upstream.tolist(), lo, hi)
