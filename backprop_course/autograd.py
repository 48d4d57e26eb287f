"""PyTorch's `torch.autograd` names: `grad` and `Function`."""

from . import autodiff
from .autodiff import Function
from .tensor import Tensor

__all__ = ["Function", "grad"]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """The gradients of `outputs` with respect to `inputs`, as a tuple; nothing is written to `.grad`.

    As `torch.autograd.grad`: a scalar output needs no `grad_outputs`; an input
    the outputs do not depend on raises unless `allow_unused`, which gives None.
    """
    outputs = list(outputs) if isinstance(outputs, tuple | list) else [outputs]
    single = not isinstance(inputs, tuple | list)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, tuple | list):
        grad_outputs = [grad_outputs]
    seeds = []
    for out, g in zip(outputs, grad_outputs, strict=True):
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(f"grad: an output of shape {out.shape} needs its grad_outputs (dL/d(output))")
            g = Tensor._wrap_output(out.data * 0 + 1, ())
        g = g if isinstance(g, Tensor) else Tensor(g)
        seeds.append(g if create_graph else g.data)
    for x in inputs:
        if not x.requires_grad:
            raise RuntimeError("grad: every input must require grad (it is where the gradient is read)")
    retain = create_graph if retain_graph is None else retain_graph
    found = autodiff.gradients(outputs, seeds, create_graph, retain, stop=inputs)
    result = []
    for i, x in enumerate(inputs):
        g = found.get(x)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} is not used to compute the outputs; pass allow_unused=True "
                               "to get None for it")
        result.append(None if g is None else g if isinstance(g, Tensor) else Tensor._wrap_output(g, ()))
    return tuple(result)
