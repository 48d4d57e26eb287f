"""Argument checks shared across the library."""

import numbers


def is_real(x):
    """A real number that is not a bool (fast for the common float and int)."""
    return type(x) in (float, int) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def positive_int(n, name):
    """`n` as an int, or a ValueError naming `name` when it is not a positive whole number."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)
