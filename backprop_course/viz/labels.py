"""Node labels: fixed-width numbers and HTML-like Graphviz tables."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from ..autodiff import Node

DATA_COLOR = "#1b7f3b"  # values in green, as the lecture draws them above the edges
GRAD_COLOR = "#c62828"  # gradients in red, drawn below the edges in the lecture
HIGHLIGHT_FILL = "#ffd54f"
MAX_SHOWN_ELEMENTS = 12


def raw(x):
    """The plain number/array of a node (a Tensor gradient), anything else unchanged.

    Not `getattr(x, "data", x)`: an ndarray's `.data` is its memory buffer.
    """
    return x.data if isinstance(x, Node) else x


def fmt(x) -> str:
    """A number as fixed-width, readable text: -0.1966, 3.0000, 1.235e+07."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0.0000"  # also turns -0.0 into 0
    if 1e-4 <= abs(x) < 1e6:
        return f"{x:.4f}"
    return f"{x:.3e}"


def array_text(a) -> str:
    """Small arrays element by element (rows on separate lines), large ones summarised."""
    a = np.asarray(a)
    if a.size == 0:
        return "(empty)"
    if a.size > MAX_SHOWN_ELEMENTS:
        return f"mean {fmt(a.mean())}, min {fmt(a.min())}, max {fmt(a.max())}"
    if a.ndim == 0:
        return fmt(a)
    rows = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a[None]
    return "\n".join("[" + " ".join(fmt(v) for v in row) + "]" for row in rows)


def _cell(text, color=None, align="center"):
    body = "<br/>".join(escape(line) for line in text.split("\n"))
    if color:
        body = f'<font color="{color}">{body}</font>'
    return f'<td align="{align}">{body}</td>'


def table(cells, horizontal, fill=None):
    """An HTML-like label; `cells` are (text, color) pairs."""
    bg = f' bgcolor="{fill}"' if fill else ""
    tds = [_cell(text, color) for text, color in cells]
    rows = "<tr>" + "".join(tds) + "</tr>" if horizontal else "".join(f"<tr>{td}</tr>" for td in tds)
    return f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4"{bg}>{rows}</table>>'


def value_label(node, grad, show_grad, horizontal, fill=None):
    """{label | data | grad} for a scalar node."""
    cells = [(node.label, None)] if node.label else []
    cells.append((f"data {fmt(node.data)}", DATA_COLOR))
    if show_grad:
        cells.append((f"grad {fmt(grad)}" if grad is not None else "grad ?", GRAD_COLOR))
    return table(cells, horizontal, fill)


def tensor_label(node, grad, show_grad, horizontal, fill=None):
    """Name and shape, then the values (or a summary), then the gradient."""
    data = np.asarray(node.data)
    head = f"{node.label} {tuple(data.shape)}" if node.label else f"{tuple(data.shape)}" if data.ndim else ""
    cells = [(head, None)] if head else []  # an unnamed 0-d node: its number says it all
    cells.append((array_text(data), DATA_COLOR))
    if show_grad and node.requires_grad:  # constants never get a gradient
        g = raw(grad)
        cells.append(("grad " + array_text(g) if g is not None else "grad ?", GRAD_COLOR))
    # Tensor rows are tall, so the cells always stack vertically.
    return table(cells, False, fill)


def on_edge(above, below, color=None):
    """A label that sits on an edge: `above` (a value, green) over a rule, `below` (a gradient, red)."""
    line = color or "#555555"
    return (f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
            f'<tr><td><font color="{DATA_COLOR}">{escape(above)}</font></td></tr>'
            f'<tr><td border="1" sides="t" color="{line}"><font color="{GRAD_COLOR}">{escape(below)}</font></td></tr>'
            f"</table>>")


INFIX = {"+": "+", "-": "−", "*": "·", "/": "/", "**": "**"}  # how the lecture writes its gates
SPARE_NAMES = "qrstuvwabcdeghkmnp"  # the lecture calls x + y "q"; more letters for bigger graphs


def name_intermediates(order):
    """Give unnamed computed nodes (not the output) short names, q first, as the lecture does.

    `order` is topological, so names run from the inputs to the output. Returns the nodes named.
    """
    taken = {n.label for n in order}
    spare = (c for c in SPARE_NAMES if c not in taken)
    named = []
    for node in order[:-1]:
        if node.parents and not node.label:
            node.label = next(spare, "")
            if node.label:
                named.append(node)
    return named


def expression(node, name_of):
    """`node`'s op over its inputs' names, as the lecture writes it: "q · z", "exp(s)"."""
    args = [name_of(p) for p in node.parents]
    if len(args) == 2 and node.op in INFIX:
        return f"{args[0]} {INFIX[node.op]} {args[1]}"
    return f"{node.op}({', '.join(args)})"
