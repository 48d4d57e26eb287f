"""`matmul_slice_explorer`: one entry of dL/dx (or dL/dW) for y = x·W, without the Jacobian."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import numpy as np

from ..tensor import Tensor
from ..viz.labels import GRAD_COLOR, HIGHLIGHT_FILL
from .base import Explorer

LECTURE_X = [[2, 1, -3], [-3, 4, 2]]
LECTURE_W = [[3, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]]
LECTURE_UPSTREAM = [[2, 3, -3, 9], [-8, 1, 4, 6]]


def _g(v):
    return f"{v + 0.0:g}"


def _factor(v):
    return _g(v) if v >= 0 else f"({_g(v)})"


def _matrix_html(title, m, lit=None):
    """A small matrix as an HTML table; `lit` marks cells (a boolean array) in yellow."""
    rows = []
    for r, row in enumerate(m):
        cells = "".join(
            f'<td style="padding:2px 6px;text-align:right;'
            f'{"background:" + HIGHLIGHT_FILL if lit is not None and lit[r, c] else ""}">{_g(v)}</td>'
            for c, v in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div style="display:inline-block;margin:0 12px;vertical-align:top"><b>{escape(title)}</b>'
            f'<table style="border-left:1px solid;border-right:1px solid">{"".join(rows)}</table></div>')


class MatmulSliceExplorer(Explorer):
    """Controls `.sliders["wrt"]` ("x" or "W"), `.sliders["i"]`, `.sliders["j"]` (1-based, as in the lecture).

    Shows the slice ∂y/∂x[i,j] (row j of W placed in row i; for W[i,j], column x[:,i] placed in
    column j), the upstream matrix dL/dy, and their dot product dL/dx[i,j]; checked against the full
    gradient from the library's backward pass. `.html` holds the matrices, `.slice` the slice,
    `.value` the dot product and `.full` the full gradient of the chosen matrix.
    """

    def __init__(self, x, w, upstream):
        self.x, self.w, self.upstream = x, w, upstream
        xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
        y = xt @ wt
        y.backward(upstream)
        self.y, self.dx, self.dw = y.data, xt.grad.data, wt.grad.data
        self.html = ""
        sliders = {
            "wrt": widgets.ToggleButtons(options=["x", "W"], value="x", description="entry of"),
            "i": widgets.IntSlider(value=1, min=1, max=x.shape[0], description="i (row)"),
            "j": widgets.IntSlider(value=1, min=1, max=x.shape[1], description="j (column)"),
        }
        super().__init__(sliders)

    def _update(self):
        wrt = self.values["wrt"]
        rows, cols = (self.x if wrt == "x" else self.w).shape
        # Switching x <-> W changes the valid index ranges; the explorer then updates again for the clamped values.
        self.sliders["i"].max, self.sliders["j"].max = rows, cols
        i, j = min(self.values["i"], rows) - 1, min(self.values["j"], cols) - 1
        n, m = self.y.shape
        s = np.zeros((n, m))
        if wrt == "x":
            s[i, :] = self.w[j, :]  # y[i, :] = sum_k x[i, k] W[k, :]
            where, full, note = "x", self.dx, "(dL/dy)·Wᵀ"
        else:
            s[:, j] = self.x[:, i]  # y[:, j] = sum_k x[:, k] W[k, j]
            where, full, note = "W", self.dw, "xᵀ·(dL/dy)"
        self.slice, self.full = s, full
        self.value = float((s * self.upstream).sum())
        lit = np.zeros((n, m), dtype=bool)
        if where == "x":
            lit[i, :] = True
        else:
            lit[:, j] = True
        terms = " + ".join(f"{_factor(a)}·{_factor(b)}" for a, b in zip(s[lit], self.upstream[lit], strict=True))
        name = f"{where}[{i + 1},{j + 1}]"
        text = (f"dL/d{name} = sum(∂y/∂{name} * dL/dy) = {terms} = {_g(self.value)}\n"
                f"full gradient dL/d{where} = {note}; its [{i + 1},{j + 1}] entry is {_g(full[i, j])}\n"
                f"(indices start at 1, as in the lecture: NumPy's [{i}, {j}])")
        entry = np.zeros(full.shape, dtype=bool)
        entry[i, j] = True
        self.html = (_matrix_html(f"∂y/∂{name}", s, lit) + _matrix_html("dL/dy (upstream)", self.upstream, lit)
                     + _matrix_html(f"dL/d{where} = {note}", full, entry))
        self.show("", text, f'<pre style="margin:0;color:{GRAD_COLOR}">{escape(text)}</pre>', picture=self.html)


def matmul_slice_explorer(x=LECTURE_X, W=LECTURE_W, upstream=LECTURE_UPSTREAM):  # noqa: N803 - the lecture's name
    """Pick x[i,j] or W[i,j] of y = x·W and see the slice of the Jacobian it needs, the upstream
    gradient, and the dot product giving dL/dx[i,j] (or dL/dW[i,j]).

    Defaults are the lecture's section 10 matrices: dL/dx[1,1] = 0 and dL/dx[2,3] = -30.
    """
    x, w, g = (np.asarray(a, dtype=float) for a in (x, W, upstream))
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"x must be N×D and W D×M; got x {x.shape} and W {w.shape}")
    if g.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"upstream must have y's shape {(x.shape[0], w.shape[1])}, got {g.shape}")
    return MatmulSliceExplorer(x, w, g)
