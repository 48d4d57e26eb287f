"""What an array answer did besides returning: the arrays it wrote into, and the memory it took at its peak.

A probe records both as named numbers (`with_arguments`, `peak_bytes`); the
diagnoses here judge them in the grader (`written_into`, `too_much_memory`).
"""

import tracemalloc

import numpy as np

from .checking import Failure, Seen, as_numbers

PEAK = "bytes at the peak"
WROTE_INTO = ("Your function wrote into {}, an array it was given: whoever called it may still need that array "
              "(an upstream gradient often goes on to other branches of the graph). Compute the result in a new array.")


def peak_bytes(fn, *args):
    """fn(*args) and the peak bytes allocated at once while it ran (NumPy reports its buffers to tracemalloc)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = fn(*args)
        return out, tracemalloc.get_traced_memory()[1] - base
    finally:
        if started:
            tracemalloc.stop()


def with_arguments(out, outputs, **arguments):
    """The answer's result `out` as the named `outputs`, and the arguments (as the answer left them) by name."""
    return Seen({**dict(zip(outputs, as_numbers(out, outputs), strict=True)), **arguments})


def written_into(seen, **arguments):
    """Fail with WROTE_INTO, naming the first argument that the answer left different from what it was given."""
    for name, given in arguments.items():
        if not np.array_equal(seen[name], given):
            raise Failure(WROTE_INTO.format(name))


def too_much_memory(seen, limit, why):
    """Fail with `why` when the peak the probe measured is above `limit` bytes."""
    peak = float(seen[PEAK])
    if peak > limit:
        raise Failure(why, expected=f"well under {limit / 2**20:.1f} MiB at once", got=f"{peak / 2**20:.1f} MiB")


def unchanged(fn, *arrays, names):
    """fn(*arrays) on copies, failing with WROTE_INTO, naming the first array it wrote into."""
    copies = [a.copy() for a in arrays]
    out = fn(*copies)
    for name, a, c in zip(names, arrays, copies, strict=True):
        if not np.array_equal(a, c):
            raise Failure(WROTE_INTO.format(name))
    return out
