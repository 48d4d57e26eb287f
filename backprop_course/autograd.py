"""PyTorch's `torch.autograd` names: `grad` and `Function`."""

import numpy as np

from . import autodiff
from .autodiff import Function
from .checks import gradient_shape
from .tensor import Tensor

__all__ = ["Function", "grad"]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """The gradients of `outputs` with respect to `inputs`, as a tuple; nothing is written to `.grad`.

    As `torch.autograd.grad`: each gradient is the total derivative (through
    every path, also those through other inputs); a scalar output needs no
    `grad_outputs`, any other needs one of its own shape; an input the outputs
    do not depend on raises unless `allow_unused`, which gives None.
    """
    outputs = list(outputs) if isinstance(outputs, tuple | list) else [outputs]
    single = not isinstance(inputs, tuple | list)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, tuple | list):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(outputs)} output(s) but {len(grad_outputs)} grad_outputs")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(f"grad: an output of shape {out.shape} needs its grad_outputs (dL/d(output))")
            g = np.ones_like(out.data)  # not out*0 + 1, which is NaN where the output is inf or NaN
        g = g if isinstance(g, Tensor) else Tensor(np.asarray(g, out.dtype))
        gradient_shape(g.shape, out.shape, f"grad: grad_outputs[{i}]", f"output {i}")
        seeds.append(g if create_graph else g.data)
    for x in inputs:
        if not x.requires_grad:
            raise RuntimeError("grad: every input must require grad (it is where the gradient is read)")
    retain = create_graph if retain_graph is None else retain_graph
    found = autodiff.gradients(outputs, seeds, create_graph, retain, stop=_beyond(outputs, inputs))
    result = []
    for i, x in enumerate(inputs):
        g = found.get(x)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} is not used to compute the outputs; pass allow_unused=True "
                               "to get None for it")
        result.append(None if g is None else g if isinstance(g, Tensor) else Tensor.wrap_output(g, ()))
    return tuple(result)


def _beyond(outputs, inputs):
    """The nodes whose backward no input needs: those with no input among their ancestors.

    Gradients stop there, as in PyTorch, and the rest of the graph is kept. Not at the inputs themselves:
    the path through one input to another counts too (y = 2x gives dz/dx through y).
    """
    wanted, leads = set(inputs), {}
    for node in autodiff.topological_order(*outputs):  # parents first
        leads[node] = any(p in wanted or leads[p] for p in node.parents)
    return [node for node, through in leads.items() if not through]
