"""Pictures: computation graphs (values in green, gradients in red, one node at a time) and classified points.

- `draw_graph(root, ...)` returns a `graphviz.Digraph` for a Value or Tensor graph.
- `render_svg(graph)` renders it with system `dot` or, without it, with `graphviz-pure`.
- `backward_steps(root)` walks the backward pass node by node.
- `scatter_classes` and `plot_regions` draw classified points and a classifier's regions in `CLASS_COLORS`.
"""

from .classes import CLASS_COLORS, REGION_COLORS, plot_regions, scatter_classes
from .draw import draw_graph
from .labels import fmt
from .render import CourseDigraph, RendererNotFoundError, RenderError, find_renderer, render_svg
from .steps import Step, backward_steps

__all__ = [
    "CLASS_COLORS",
    "CourseDigraph",
    "REGION_COLORS",
    "RenderError",
    "RendererNotFoundError",
    "Step",
    "backward_steps",
    "draw_graph",
    "find_renderer",
    "fmt",
    "plot_regions",
    "render_svg",
    "scatter_classes",
]
