"""What the engine needs to run the same on numpy 1.26 and numpy 2 (the one place that knows the version)."""

import numpy as np

NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"

# `np.array(x, copy=...)`: "copy only if needed" is None in numpy 2 and False in numpy 1 (where None is refused).
COPY_IF_NEEDED = None if NUMPY2 else False


def matrix_transpose(a):
    """`a.mT` (the last two axes swapped) for an ndarray, which has no `.mT` before numpy 2, or a Tensor
    (a backward that builds a graph)."""
    if type(a) is np.ndarray and a.ndim == 2:
        return a.T  # the same view, without building the axes (a matmul's backward, twice per layer)
    return a.transpose((*range(a.ndim - 2), a.ndim - 1, a.ndim - 2))


def numpy2_dtype(fn, out, inputs, ctx):
    """`out`, the float result of the course's own Function `fn` on nodes `inputs`, in the dtype numpy 2 gives it.

    numpy 1 promotes by value where 0-d arrays or scalars meet arrays (NEP 50 ended this): float32 with a 0-d
    float64 stays float32, a 0-d float32 with a Python float becomes float64. numpy 2 promotes by type alone,
    which `result_type` of the inputs' dtypes gives under both. A Function written outside the course keeps
    what its forward computed: a dtype it chose on purpose is not second-guessed.
    """
    dtype = getattr(out, "dtype", None)
    if dtype is None or dtype.kind != "f" or not fn.__module__.startswith(__package__ + "."):
        return out
    want = np.result_type(*[getattr(i.data, "dtype", float) for i in inputs])
    if want.kind != "f" or want == dtype:
        return out
    fixed = out.astype(want)
    ctx.saved_tensors = tuple([fixed if s is out else s for s in ctx.saved_tensors])
    return fixed
