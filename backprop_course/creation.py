"""PyTorch's module-level constructors of Tensors: tensor, zeros, randn, stack, cat, ... and the seeded
generator behind the random ones."""

import numpy as np

from . import ops
from .checks import dimension
from .tensor import Tensor

__all__ = ["from_numpy", "manual_seed", "generator", "tensor", "zeros", "ones", "randn", "rand", "eye", "zeros_like",
           "ones_like", "stack", "cat"]


def from_numpy(array, requires_grad=False):
    """A Tensor that shares `array`'s memory (as `torch.from_numpy`), where `Tensor(array)` copies.

    While a graph holds the array for backward it is read-only, for the caller too.
    """
    if not (isinstance(array, np.ndarray) and array.dtype in (np.float32, np.float64)):
        return Tensor(array, requires_grad)
    t = Tensor.wrap_output(array, ())
    return t.requires_grad_() if requires_grad else t


_rng = np.random.default_rng(0)


def manual_seed(seed):
    """Reset the generator behind randn, rand and the networks' default weights (a fresh kernel uses 0)."""
    global _rng
    _rng = np.random.default_rng(seed)


def generator():
    return _rng


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape


def tensor(data, requires_grad=False, dtype=None):
    """A new leaf holding a copy of `data` (PyTorch's torch.tensor); float64 unless told otherwise."""
    return Tensor(np.asarray(data, dtype=dtype) if dtype is not None else data, requires_grad)


def zeros(*shape, dtype=np.float64, requires_grad=False):
    return Tensor(np.zeros(_shape(shape), dtype), requires_grad)


def ones(*shape, dtype=np.float64, requires_grad=False):
    return Tensor(np.ones(_shape(shape), dtype), requires_grad)


def randn(*shape, dtype=np.float64, requires_grad=False):
    """Standard normal samples from the generator that `manual_seed` resets."""
    return Tensor(_rng.standard_normal(_shape(shape)).astype(dtype), requires_grad)


def rand(*shape, dtype=np.float64, requires_grad=False):
    """Uniform samples in [0, 1) from the generator that `manual_seed` resets."""
    return Tensor(_rng.random(_shape(shape)).astype(dtype), requires_grad)


def eye(n, m=None, dtype=np.float64, requires_grad=False):
    return Tensor(np.eye(n, m, dtype=dtype), requires_grad)


def zeros_like(t, requires_grad=False):
    return Tensor(np.zeros_like(np.asarray(t)), requires_grad)


def ones_like(t, requires_grad=False):
    return Tensor(np.ones_like(np.asarray(t)), requires_grad)


def _nodes(tensors, name):
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError(f"{name} needs at least one tensor")
    return tensors


def stack(tensors, dim=0):
    """The tensors, which share one shape, stacked along a new dimension `dim`."""
    return ops.Stack.apply(dim, *_nodes(tensors, "stack"))


def cat(tensors, dim=0):
    """The tensors joined along their existing dimension `dim`."""
    tensors = _nodes(tensors, "cat")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise ValueError(f"cat joins tensors along an existing dimension, but tensor {i} is 0-d (a single "
                             "number); use stack to make a new dimension, or reshape(1) first")
    return ops.Cat.apply(dimension(dim, tensors[0].ndim, "cat"), *tensors)
