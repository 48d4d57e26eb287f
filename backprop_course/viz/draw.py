"""`draw_graph`: a computation graph as a Graphviz picture with values and gradients."""

from __future__ import annotations

import numpy as np

from . import labels
from .fit import MIN_TEXT_PX, text_px_when_fitted
from .nodes import ForeignNode, graph_order, is_graph_node
from .render import CourseDigraph, find_renderer
from .summary import nearest_nodes

RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
STYLES = ("boxes", "lecture")
HIGHLIGHT_EDGE = "#ef6c00"
EDGE_COLOR = "#555555"
FONT_PT = 11
RECORDED_FILL, RECORDED_OP_FILL = "#dcebfa", "#a9cdf0"  # nodes recorded by a backward pass: blue
LECTURE_MAX_NODES = 60


def draw_graph(root, show_grad=True, highlight=(), rankdir="auto", max_nodes=300, *, grads=None, title=None,
               style="boxes", forward=None, backward=None):
    """Draw the graph that computed `root`; returns a `graphviz.Digraph`.

    `root` is a Value or a Tensor, or a learner's own micrograd-style node (an object with `.data`,
    `.grad` and `._prev`/`._op`, or `.parents`/`.op`).

    - `style="boxes"` (the default): each node is a table {label | data | grad}, data in green and
      grad in red, and a computed node gets a separate circle for its op. Tensor nodes show name and
      shape, the values when there are at most 12, else mean/min/max.
    - `style="lecture"`: the lecture's convention. Inputs and output by name, ops as circles, and on
      each edge the value above the line and the gradient below it.
    - `rankdir="auto"` lays the graph out left to right, or top to bottom when that keeps the text
      legible in a notebook cell (at least 9 px once scaled to the cell's width).
    - `highlight`: nodes, or (parent, child) pairs for edges, drawn in orange (box style).
    - `grads`: optional {node: gradient} shown instead of `.grad` (nodes missing from it show "?").
    - `forward`: for a graph recorded by `backward(create_graph=True)`, the output of the forward pass.
      Nodes of `backward`'s graph (default: `root`'s) that are not in `forward`'s graph were recorded
      by the backward pass; they are drawn in blue, and only leaves show a gradient.
    - Above `max_nodes` drawn nodes, only the part nearest the output is drawn and the rest
      becomes one "… N more nodes" box.
    - Node names come from topological positions, so the same structure always gives the
      same DOT source and the same layout.

    In Jupyter the picture fits its cell (click it for full size) and renders without system Graphviz.
    """
    if not is_graph_node(root):
        raise TypeError(f"draw_graph needs a Value or Tensor, got {type(root).__name__}: {root!r:.80} "
                        "(a node class of your own needs .data and ._prev/._op, or .parents/.op)")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    if not isinstance(max_nodes, int) or max_nodes < 3:
        raise ValueError(f"max_nodes must be an int >= 3, got {max_nodes!r}")
    find_renderer()  # fail here, at the call, rather than later when Jupyter displays the graph

    order, by_object = graph_order(root)
    position = {id(n): i for i, n in enumerate(order)}
    grad_of = (lambda n: grads.get(_original(n))) if grads is not None else (lambda n: n.grad)
    recorded = _recorded_later(forward, backward if backward is not None else root, position)

    g = CourseDigraph(name="graph", graph_attr={"rankdir": "LR" if rankdir == "auto" else rankdir,
                                                "nodesep": "0.25", "ranksep": "0.35"},
                      node_attr={"fontname": "Helvetica", "fontsize": str(FONT_PT)},
                      edge_attr={"arrowsize": "0.6", "color": EDGE_COLOR})
    if title:
        g.attr(label=title, labelloc="t", fontname="Helvetica", fontsize="13")
    if style == "lecture":
        if highlight:
            raise ValueError("highlight is drawn in the box style only (style='boxes')")
        if len(order) > LECTURE_MAX_NODES:
            raise ValueError(f"style='lecture' draws at most {LECTURE_MAX_NODES} nodes; this graph has "
                             f"{len(order)}: use style='boxes', which summarises big graphs")
        _draw_lecture(g, order, position, grad_of, show_grad)
    else:
        hl = _split_highlight(highlight, by_object, position)
        _draw_boxes(g, order, position, grad_of, show_grad, hl, recorded, max_nodes)
    if recorded:
        g.attr(label=(title + "\n" if title else "") + "blue: recorded by the backward pass (create_graph=True)",
               labelloc="t", fontname="Helvetica", fontsize="13")
    if rankdir == "auto" and style == "boxes":
        _choose_direction(g)
    return g


def _draw_boxes(g, order, position, grad_of, show_grad, highlight, recorded, max_nodes):
    hl_nodes, hl_edges = highlight
    drawn = sum(2 if n.parents else 1 for n in order)
    kept = None if drawn <= max_nodes else nearest_nodes(order[-1], max_nodes - 1)
    make_label = labels.value_label if _is_scalar_graph(order[-1]) else labels.tensor_label
    cut_targets = []
    for i, node in enumerate(order):
        if kept is not None and id(node) not in kept:
            continue
        name = f"n{i}"
        lit, later = i in hl_nodes, id(node) in recorded
        fill = labels.HIGHLIGHT_FILL if lit else RECORDED_FILL if later else None
        extra = {"class": "highlight"} if lit else None
        node_grad = show_grad and (not recorded or not node.parents)  # a higher-order picture: leaves only
        g.node(name, make_label(node, labels.raw(grad_of(node)), node_grad, True, fill),
               shape="plaintext", id=name, _attributes=extra)
        if not node.parents:
            continue
        op = f"{name}op"
        op_fill = labels.HIGHLIGHT_FILL if lit else RECORDED_OP_FILL if later else "#eeeeee"
        g.node(op, node.op or "?", shape="circle" if len(node.op) <= 2 else "ellipse", id=op,
               width="0.3", height="0.3", margin="0.02",
               _attributes={"style": "filled", "fillcolor": op_fill, **(extra or {})})
        g.edge(op, name, weight="4")
        for p in node.parents:
            j = position[id(p)]
            if kept is not None and id(p) not in kept:
                cut_targets.append(op)
                continue
            attrs = {"color": HIGHLIGHT_EDGE, "penwidth": "2.5"} if (j, i) in hl_edges else {}
            if p.parents:  # keep the path through computed nodes straight; inputs hang beside it
                attrs["weight"] = "4"
            g.edge(f"n{j}", op, id=f"e{j}_{i}", **attrs)
    if kept is not None:
        hidden = len(order) - len(kept)
        note = f"… {hidden} more nodes"
        g.node("more", note, shape="box", style="dashed,rounded", id="more", fontcolor="#555555")
        for op in dict.fromkeys(cut_targets):
            g.edge("more", op, style="dashed")
        g.attr(label=f"{note} not drawn: showing the {len(kept)} of {len(order)} nodes nearest the output "
               f"(max_nodes={max_nodes})", labelloc="t", fontname="Helvetica", fontsize="13")


def _draw_lecture(g, order, position, grad_of, show_grad):
    """Names at the ends, ops as circles, and each value on its edge: value above, gradient below."""
    g.attr(ranksep="0.25")
    last = len(order) - 1
    for i, node in enumerate(order):
        name = f"n{i}"
        value = labels.array_text(node.data).replace("\n", " ")
        if node.label and node.parents and i != last:
            value = f"{node.label} = {value}"
        grad = labels.raw(grad_of(node))
        below = ("?" if grad is None else labels.array_text(grad).replace("\n", " ")) if show_grad else " "
        g.node(name, labels.on_edge(value, below), shape="plaintext", id=name, margin="0", width="0", height="0")
        plain = {"arrowhead": "none"}
        if node.parents:
            op = f"{name}op"
            g.node(op, node.op or "?", shape="circle", id=op, width="0.35", margin="0.02")
            g.edge(op, name, **plain)
            for p in node.parents:
                g.edge(f"n{position[id(p)]}", op)
        else:
            g.node(f"{name}name", node.label or "?", shape="plaintext", margin="0")
            g.edge(f"{name}name", name, **plain)
    g.node("outname", order[last].label or "out", shape="plaintext", margin="0")
    g.edge(f"n{last}", "outname", **{"arrowhead": "none"})


def _choose_direction(g):
    """Keep left-to-right unless top-to-bottom keeps more of the text legible in a cell."""
    lr = text_px_when_fitted(g.svg(), FONT_PT)
    if lr >= MIN_TEXT_PX:
        return
    g.graph_attr["rankdir"] = "TB"
    if text_px_when_fitted(g.svg(), FONT_PT) <= lr:
        g.graph_attr["rankdir"] = "LR"


def _recorded_later(forward, gradient, position):
    """Ids of the drawn nodes in `gradient`'s graph but not in `forward`'s (empty without `forward`)."""
    if forward is None:
        return set()
    if not is_graph_node(forward) or not is_graph_node(gradient):
        raise TypeError("forward= and backward= take graph nodes (the forward output and the gradient)")
    before = {id(_original(n)) for n in graph_order(forward)[0]}
    return {id(n) for n in graph_order(gradient)[0] if id(_original(n)) not in before and id(n) in position}


def _original(node):
    return node.obj if isinstance(node, ForeignNode) else node


def _split_highlight(highlight, by_object, position):
    """Topological positions of highlighted nodes, and of highlighted (parent, child) edges."""
    if is_graph_node(highlight):
        highlight = (highlight,)
    nodes, edges = set(), set()
    for item in highlight or ():
        if is_graph_node(item):
            nodes.add(_position(item, by_object, position))
        elif isinstance(item, tuple) and len(item) == 2 and all(is_graph_node(n) for n in item):
            edges.add((_position(item[0], by_object, position), _position(item[1], by_object, position)))
        else:
            raise TypeError(f"highlight takes nodes or (parent, child) node pairs, got {type(item).__name__}")
    return nodes, edges


def _position(item, by_object, position):
    node = by_object.get(id(item))
    if node is None:
        raise ValueError(f"cannot highlight {item!r:.60}: it is not part of the drawn graph")
    return position[id(node)]


def _is_scalar_graph(root):
    return not isinstance(root.data, np.ndarray)


