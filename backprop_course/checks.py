"""Argument checks shared across the library: each rule and its message live here, once.

Every check returns the value converted (an int or a float) or raises a
ValueError that names the argument and says what it must be.
"""

import math
import numbers


def is_real(x):
    """A real number that is not a bool (fast for the common float and int)."""
    return type(x) in (float, int) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def is_int(x):
    """A whole number of an integer type (int, numpy int), not a bool."""
    return type(x) is int or (isinstance(x, numbers.Integral) and not isinstance(x, bool))


def positive_int(n, name):
    """`n` as an int, or a ValueError naming `name` when it is not a positive whole number."""
    if not is_int(n) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def number(x, name, what="a number", ok=None):
    """`x` as a float when it is a real number (not a bool, not NaN) for which `ok(x)` holds.

    Otherwise a ValueError: "`name` must be `what`, got ...".
    """
    if not is_real(x) or math.isnan(x) or (ok is not None and not ok(x)):
        raise ValueError(f"{name} must be {what}, got {x!r}")
    return float(x)


def positive(x, name):
    return number(x, name, "a positive number", lambda v: v > 0)


def nonnegative(x, name):
    return number(x, name, "a non-negative number", lambda v: v >= 0)


def label_text(label):
    """A node's display name, which must be a string (pictures print it)."""
    if not isinstance(label, str):
        raise TypeError(f"a label must be a string (it names the node in pictures), got {type(label).__name__} "
                        f"{label!r}")
    return label


def reduction_axes(axis, ndim, name="sum"):
    """A reduction's `axis`: None, an int or a tuple of distinct ints within `ndim` dimensions."""
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    if axis is None:
        return None
    if not all(is_int(a) for a in axes):
        raise TypeError(f"{name}: axis must be None, an int or a tuple of ints, got {axis!r}")
    if any(not -ndim <= a < max(ndim, 1) for a in axes):
        raise ValueError(f"{name}: axis {axis!r} is out of range for a tensor with {ndim} dimension(s)")
    if len({a % max(ndim, 1) for a in axes}) != len(axes):
        raise ValueError(f"{name}: axis {axis!r} names the same dimension twice")
    return tuple(int(a) for a in axes) if isinstance(axis, tuple | list) else int(axis)


def gradient_shape(shape, expected, what, of="the tensor"):
    """A gradient given for an output must have exactly its shape: it is never broadcast (nor summed) to fit."""
    if tuple(shape) != tuple(expected):
        raise ValueError(f"{what} has shape {tuple(shape)}, but {of} has shape {tuple(expected)}; "
                         "the gradient of an output must have the output's shape")


def dimension(dim, ndim, name):
    """One dimension `dim` (an int, negative counting from the end) of a tensor with `ndim` dimensions, as
    a non-negative int. A 0-d tensor takes 0 or -1, as in PyTorch."""
    if not is_int(dim):
        raise TypeError(f"{name}: dim must be one int, got {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise ValueError(f"{name}: dim {dim} is out of range for a tensor with {ndim} dimension(s)")
    return int(dim) % n
