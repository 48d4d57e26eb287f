"""`backward_stepper`: the backward pass one node at a time (upstream × local = downstream)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..autodiff import Node, topological_order
from ..value import Value
from ..viz import backward_steps, fmt
from ..viz.labels import array_text, expression, name_intermediates, raw
from ..viz.live import LiveGraph
from .base import Explorer
from .inputs import parameter_names, parse_range

COMPLETE = "✔ The backward pass is complete: every node has its gradient."


class BackwardStepper(Explorer):
    """Prev / Next / Play / step slider (1 to N, as the text counts) over `backward_steps(root)`.

    The current node is highlighted (SVG group class "highlight", id "n<topological position>",
    fill #ffd54f). A node shows "grad ?" until a gradient reaches it, then the sum received so far:
    once its own step comes, that is its whole gradient. The last step says the pass is complete.
    Besides the `Explorer` attributes: `.steps`, `.current` (the Step shown), `.root`,
    `.buttons` ({"prev", "next"}), `.play`, and `.highlighted` (SVG id of the current node).
    """

    def __init__(self, root, rankdir="auto", interval_ms=1200):
        self.root = root
        order = topological_order(root)
        name_intermediates(order)
        self._position = {id(n): i for i, n in enumerate(order)}
        self.steps = list(backward_steps(root))
        self._live = LiveGraph(rankdir=rankdir)
        n = len(self.steps)
        slider = widgets.IntSlider(value=1, min=1, max=n, description="step", continuous_update=True)
        self.play = widgets.Play(value=1, min=1, max=n, interval=interval_ms, description="Play")
        widgets.jslink((self.play, "value"), (slider, "value"))  # in the browser, with no round trip per step
        widgets.link((self.play, "value"), (slider, "value"))  # and in the kernel, for code that sets either
        self.buttons = {"prev": widgets.Button(description="◀ Prev"), "next": widgets.Button(description="Next ▶")}
        self.buttons["prev"].on_click(lambda _: self.prev())
        self.buttons["next"].on_click(lambda _: self.next())
        controls = widgets.HBox([self.buttons["prev"], self.buttons["next"], self.play, slider])
        super().__init__({"step": slider}, controls)

    @property
    def current(self):
        return self.steps[self.sliders["step"].value - 1]

    @property
    def highlighted(self):
        return f"n{self._position[id(self.current.node)]}"

    def next(self):
        s = self.sliders["step"]
        s.value = min(s.value + 1, s.max)

    def prev(self):
        s = self.sliders["step"]
        s.value = max(s.value - 1, s.min)

    def arrived(self, k=None):
        """{node: the gradient it has received after step k (1-based; default the current step)}."""
        k = self.sliders["step"].value if k is None else k
        first = self.steps[0]
        got = {first.node: first.upstream}
        for step in self.steps[:k]:
            for parent, down in zip(step.node.parents, step.downstream, strict=True):
                if down is not None:
                    got[parent] = got[parent] + down if parent in got else down
        return got

    def _update(self):
        k = self.values["step"]
        step = self.steps[k - 1]
        highlight = [step.node, *((p, step.node) for p in step.node.parents)]
        svg = self._live.svg(self.root, grads=self.arrived(k), highlight=highlight)
        text = describe(step, _name, len(self.steps))
        self.show(svg, text + ("\n" + COMPLETE if k == len(self.steps) else ""))


def _name(node):
    if node.label:
        return node.label
    return fmt(node.data) if np.ndim(raw(node)) == 0 else f"({node.op or 'constant'})"


def describe(step, name_of, total):
    """The lecture's zoom on one node, as text: "step 1/5: f = q · z", then upstream × local = downstream."""
    node, up = step.node, step.upstream
    head = f"step {step.index + 1}/{total}: {name_of(node)}"
    if up is None:
        return f"{head} receives no gradient (it does not require one)"
    if not node.parents:
        return f"{head} is a leaf: its gradient is the upstream gradient {_num(up)}"
    lines = [f"{head} = {expression(node, name_of)}", f"upstream gradient: {_num(up)}"]
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


def backward_stepper(target, *, rankdir="auto", interval_ms=1200, **inputs):
    """Step through the backward pass of `target`: a Value/Tensor output, or a function of Values.

    With a function, each keyword gives an input's start value (a number or a (min, max, value) range).
    Unnamed computed nodes are named q, r, s, … as the lecture names x + y "q".

    >>> backward_stepper(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)  # doctest: +SKIP

    Returns a `BackwardStepper`; `.next()`, `.prev()` or `.sliders["step"].value = k` (1 to N) move it.
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
