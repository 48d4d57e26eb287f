"""Interactive explorers for the course notebooks (ipywidgets).

Each function returns an ipywidgets box (an `Explorer`) that displays itself and exposes:

- `.sliders`: name -> input widget; set `.value` to drive it, as a learner would;
- `.svg`: the current picture as SVG text ("" for the table-only explorers);
- `.text`: the current readout as plain text;
- `.message`: "" or the error shown in the widget (widgets never raise into the notebook).
"""

from .base import Explorer
from .explorer import GraphExplorer, graph_explorer
from .gradient_health import GradientHealthExplorer, gradient_health_explorer, layer_gradient_norms
from .jacobian_size import JacobianSizeCalculator, human_bytes, jacobian_bytes, jacobian_size_calculator
from .matmul import MatmulSliceExplorer, matmul_slice_explorer
from .nudge import NudgeExplorer, nudge_explorer
from .relu import ReluVJPExplorer, relu_vjp_explorer
from .sigmoid import SigmoidExplorer, sigmoid_explorer
from .stepper import BackwardStepper, backward_stepper

__all__ = [
    "BackwardStepper",
    "Explorer",
    "GradientHealthExplorer",
    "GraphExplorer",
    "JacobianSizeCalculator",
    "MatmulSliceExplorer",
    "NudgeExplorer",
    "ReluVJPExplorer",
    "SigmoidExplorer",
    "backward_stepper",
    "gradient_health_explorer",
    "graph_explorer",
    "human_bytes",
    "jacobian_bytes",
    "jacobian_size_calculator",
    "layer_gradient_norms",
    "matmul_slice_explorer",
    "nudge_explorer",
    "relu_vjp_explorer",
    "sigmoid_explorer",
]
