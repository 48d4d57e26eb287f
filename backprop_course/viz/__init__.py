"""Pictures of computation graphs: values in green, gradients in red, one node at a time.

- `draw_graph(root, ...)` returns a `graphviz.Digraph` for a Value or Tensor graph.
- `render_svg(graph)` renders it with system `dot` or, without it, with `graphviz-pure`.
- `backward_steps(root)` walks the backward pass node by node.
"""

from .draw import draw_graph
from .labels import fmt
from .render import CourseDigraph, RendererNotFoundError, RenderError, find_renderer, render_svg
from .steps import Step, backward_steps

__all__ = [
    "CourseDigraph",
    "RenderError",
    "RendererNotFoundError",
    "Step",
    "backward_steps",
    "draw_graph",
    "find_renderer",
    "fmt",
    "render_svg",
]
