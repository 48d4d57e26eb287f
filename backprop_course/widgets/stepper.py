"""`backward_stepper`: the backward pass one node at a time (upstream × local = downstream)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..autodiff import Node
from ..value import Value
from ..viz import backward_steps, draw_graph, fmt, render_svg
from ..viz.labels import array_text, raw
from .base import Explorer
from .inputs import parameter_names, parse_range


class BackwardStepper(Explorer):
    """Prev / Next / Play / step slider over `backward_steps(root)`.

    The current node is highlighted (SVG group class "highlight", id "n<topological position>",
    fill #ffd54f); nodes the pass has not reached yet show "grad ?".
    Besides the `Explorer` attributes: `.steps`, `.current` (the Step shown), `.root`,
    `.buttons` ({"prev", "next"}), `.play`, and `.highlighted` (SVG id of the current node).
    """

    def __init__(self, root, rankdir="LR", interval_ms=1200):
        self.root, self.rankdir = root, rankdir
        self.steps = list(backward_steps(root))
        self._order_ids = {id(s.node): len(self.steps) - 1 - s.index for s in self.steps}
        self._names = _expression_names([s.node for s in reversed(self.steps)])
        last = len(self.steps) - 1
        slider = widgets.IntSlider(value=0, min=0, max=last, description="step", continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=last, interval=interval_ms, description="Play")
        widgets.link((self.play, "value"), (slider, "value"))
        self.buttons = {"prev": widgets.Button(description="◀ Prev"), "next": widgets.Button(description="Next ▶")}
        self.buttons["prev"].on_click(lambda _: self.prev())
        self.buttons["next"].on_click(lambda _: self.next())
        controls = widgets.HBox([self.buttons["prev"], self.buttons["next"], self.play, slider])
        super().__init__({"step": slider}, controls)

    @property
    def current(self):
        return self.steps[self.sliders["step"].value]

    @property
    def highlighted(self):
        return f"n{self._order_ids[id(self.current.node)]}"

    def next(self):
        s = self.sliders["step"]
        s.value = min(s.value + 1, s.max)

    def prev(self):
        s = self.sliders["step"]
        s.value = max(s.value - 1, s.min)

    def _update(self):
        k = self.sliders["step"].value
        step = self.steps[k]
        known = {s.node: s.upstream for s in self.steps[: k + 1]}
        highlight = [step.node, *((p, step.node) for p in step.node.parents)]
        svg = render_svg(draw_graph(self.root, highlight=highlight, rankdir=self.rankdir, grads=known))
        self.show(svg, describe(step, self._name, len(self.steps)))

    def _name(self, node):
        return self._names[id(node)]


def _expression_names(order, max_len=24):
    """Labels where given; otherwise short expressions like "(x + y)", else "n3 (exp)"."""
    names = {}
    for i, node in enumerate(order):
        name = node.label
        if not name and node.parents:
            args = [names[id(p)] for p in node.parents]
            name = f"({args[0]} {node.op} {args[1]})" if len(args) == 2 else f"{node.op}({', '.join(args)})"
            if len(name) > max_len:
                name = f"n{i} ({node.op})"
        names[id(node)] = name or f"n{i}"
    return names


def describe(step, name_of, total):
    """The lecture's zoom on one node, as text."""
    node, up = step.node, step.upstream
    head = f"step {step.index + 1}/{total}: {name_of(node)}"
    if up is None:
        return f"{head} receives no gradient (it does not require one)"
    if not node.parents:
        return f"{head} is a leaf: its gradient is the upstream gradient {_num(up)}"
    lines = [f"{head} = {node.op}({', '.join(name_of(p) for p in node.parents)})",
             f"upstream gradient: {_num(up)}"]
    for parent, local, down in zip(node.parents, step.local, step.downstream, strict=True):
        if down is None:
            lines.append(f"  -> {name_of(parent)}: no gradient needed")
        elif local is None:  # tensors: the local Jacobian is never built
            lines.append(f"  -> {name_of(parent)}: downstream = VJP(upstream) = {_num(down)}")
        else:
            lines.append(f"  -> {name_of(parent)}: upstream {_num(up)} × local {_num(local)} = downstream {_num(down)}")
    return "\n".join(lines)


def _num(x):
    x = raw(x)
    return fmt(x) if np.ndim(x) == 0 else array_text(x).replace("\n", " ")


def backward_stepper(target, *, rankdir="LR", interval_ms=1200, **inputs):
    """Step through the backward pass of `target`: a Value/Tensor output, or a function of Values.

    With a function, each keyword gives an input's start value (a number or a (min, max, value) range).

    >>> backward_stepper(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)  # doctest: +SKIP

    Returns a `BackwardStepper`; `.next()`, `.prev()` or `.sliders["step"].value = k` move it.
    """
    if isinstance(target, Node):
        if inputs:
            raise TypeError("backward_stepper takes input values only with a function, not with a graph output")
        return BackwardStepper(target, rankdir, interval_ms)
    names, defaults = parameter_names(target, "backward_stepper")
    unknown = sorted(set(inputs) - set(names))
    if unknown:
        raise TypeError(f"backward_stepper got values for {', '.join(unknown)}, but the inputs are {', '.join(names)}")
    values = {n: Value(parse_range(n, inputs.get(n, defaults.get(n, 1.0)))[2], n) for n in names}
    root = target(**values)
    if not isinstance(root, Node):
        raise TypeError(f"the function returned {type(root).__name__}; return a Value computed from its inputs")
    root.label = root.label or "f"
    return BackwardStepper(root, rankdir, interval_ms)
