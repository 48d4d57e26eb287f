"""`draw_graph`: a computation graph as a Graphviz picture with values and gradients."""

from __future__ import annotations

import numpy as np

from ..autodiff import Node, topological_order
from . import labels
from .render import CourseDigraph, find_renderer
from .summary import nearest_nodes

RANKDIRS = ("LR", "TB", "RL", "BT")
HIGHLIGHT_EDGE = "#ef6c00"


def draw_graph(root, show_grad=True, highlight=(), rankdir="LR", max_nodes=300, *, grads=None, title=None):
    """Draw the graph that computed `root` (a Value or a Tensor); returns a `graphviz.Digraph`.

    - Each node is a table {label | data | grad}: data in green, grad in red.
      Computed nodes get a separate circle for their op.
    - Tensor nodes show name and shape, the values when there are at most 12, else mean/min/max.
    - `highlight`: nodes, or (parent, child) pairs for edges, drawn in orange.
    - `grads`: optional {node: gradient} shown instead of `.grad` (nodes missing from it show "?").
    - Above `max_nodes` drawn nodes, only the part nearest the output is drawn and the rest
      becomes one "… N more nodes" box.
    - Node names come from topological positions, so the same structure always gives the
      same DOT source and the same layout.

    The result displays itself in Jupyter and renders without system Graphviz (see `render_svg`).
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph needs a Value or Tensor, got {type(root).__name__}: {root!r:.80}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 3:
        raise ValueError(f"max_nodes must be an int >= 3, got {max_nodes!r}")
    find_renderer()  # fail here, at the call, rather than later when Jupyter displays the graph

    order = topological_order(root)
    index = {id(n): i for i, n in enumerate(order)}
    drawn = sum(2 if n.parents else 1 for n in order)
    kept = None if drawn <= max_nodes else nearest_nodes(root, max_nodes - 1)
    hl_nodes, hl_edges = _split_highlight(highlight, index)
    make_label = labels.value_label if _is_scalar_graph(root) else labels.tensor_label
    grad_of = (lambda n: grads.get(n)) if grads is not None else (lambda n: n.grad)

    g = CourseDigraph(name="graph", graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35"},
                      node_attr={"fontname": "Helvetica", "fontsize": "11"},
                      edge_attr={"arrowsize": "0.6", "color": "#555555"})
    if title:
        g.attr(label=title, labelloc="t", fontname="Helvetica", fontsize="13")

    cut_targets = []
    for i, node in enumerate(order):
        if kept is not None and id(node) not in kept:
            continue
        name = f"n{i}"
        lit = i in hl_nodes
        fill = labels.HIGHLIGHT_FILL if lit else None
        extra = {"class": "highlight"} if lit else None
        g.node(name, make_label(node, labels.raw(grad_of(node)), show_grad, True, fill),
               shape="plaintext", id=name, _attributes=extra)
        if not node.parents:
            continue
        op = f"{name}op"
        op_style = {"style": "filled", "fillcolor": labels.HIGHLIGHT_FILL if lit else "#eeeeee"}
        g.node(op, node.op or "?", shape="circle" if len(node.op) <= 2 else "ellipse", id=op,
               width="0.3", height="0.3", margin="0.02", _attributes=dict(op_style, **(extra or {})))
        g.edge(op, name)
        for p in node.parents:
            j = index[id(p)]
            if kept is not None and id(p) not in kept:
                cut_targets.append(op)
                continue
            attrs = {"color": HIGHLIGHT_EDGE, "penwidth": "2.5"} if (j, i) in hl_edges else {}
            g.edge(f"n{j}", op, **attrs)

    if kept is not None:
        hidden = len(order) - len(kept)
        note = f"… {hidden} more nodes"
        g.node("more", note, shape="box", style="dashed,rounded", id="more", fontcolor="#555555")
        for op in dict.fromkeys(cut_targets):
            g.edge("more", op, style="dashed")
        g.attr(label=f"{note} not drawn: showing the {len(kept)} of {len(order)} nodes nearest the output "
               f"(max_nodes={max_nodes})", labelloc="t", fontname="Helvetica", fontsize="13")
    return g


def _split_highlight(highlight, index):
    """Topological positions of highlighted nodes, and of highlighted (parent, child) edges."""
    if isinstance(highlight, Node):
        highlight = (highlight,)
    nodes, edges = set(), set()
    for item in highlight or ():
        if isinstance(item, Node):
            nodes.add(_position(item, index))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(n, Node) for n in item):
            edges.add((_position(item[0], index), _position(item[1], index)))
        else:
            raise TypeError(f"highlight takes nodes or (parent, child) node pairs, got {type(item).__name__}")
    return nodes, edges


def _position(node, index):
    try:
        return index[id(node)]
    except KeyError:
        raise ValueError(f"cannot highlight {node!r:.60}: it is not part of the drawn graph") from None


def _is_scalar_graph(root):
    return not isinstance(root.data, np.ndarray)
