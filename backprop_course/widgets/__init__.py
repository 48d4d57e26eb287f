"""Interactive explorers for the course notebooks (ipywidgets).

Each function returns an ipywidgets box that displays itself and exposes
`.sliders` (name -> input widget), `.svg` (the picture), `.text` (the readout)
and `.message` (an error shown instead of raised).
"""

from .explorer import GraphExplorer, graph_explorer
from .stepper import BackwardStepper, backward_stepper

__all__ = ["BackwardStepper", "GraphExplorer", "backward_stepper", "graph_explorer"]
