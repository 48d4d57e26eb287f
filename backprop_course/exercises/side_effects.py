"""What an answer did besides returning: the arrays it left changed, and the memory it took at its peak.

A probe reports both as named numbers (`on_copies` or `with_arguments`, `left_in`,
`peak_bytes`); the diagnoses here judge them in the grader (`written_into`, `changed`,
`too_much_memory`). An argument `x` as the answer left it is named "x after the call".
"""

import tracemalloc

import numpy as np

from .checking import Failure, Seen, as_numbers

PEAK = "bytes at the peak"
WROTE_INTO = ("Your function wrote into {}, an array it was given: whoever called it may still need that array "
              "(an upstream gradient often goes on to other branches of the graph). Compute the result in a new array.")


def after(name):
    """The name under which a probe reports argument `name` as the answer left it."""
    return f"{name} after the call"


def with_arguments(out, outputs, **arguments):
    """Seen: the answer's result `out` as the named `outputs`, and each argument as the answer left it."""
    seen = Seen(zip(outputs, as_numbers(out, outputs), strict=True))
    seen.update((after(name), a) for name, a in arguments.items())
    return seen


def on_copies(answer, outputs, **inputs):
    """with_arguments for `answer` called on copies of `inputs` (named, in call order)."""
    copies = {name: np.array(a, copy=True) for name, a in inputs.items()}
    return with_arguments(answer(*copies.values()), outputs, **copies)


def left_in(name, handed, count):
    """{after("name[i]"): array} for the `count` arrays the list `handed` held (NaN where it lost one)."""
    return {after(f"{name}[{i}]"): handed[i] if i < len(handed) else np.nan for i in range(count)}


def written_into(seen, **given):
    """The diagnosis: fail with WROTE_INTO, naming the first argument the answer left different from `given`."""
    for name, a in given.items():
        left = seen[after(name)]
        if left.shape != np.shape(a) or not np.array_equal(left, a):
            raise Failure(WROTE_INTO.format(name))


def changed(seen, name, given):
    """Did the answer change any array of the list `name`, which was given as `given`?"""
    return not all(np.array_equal(seen[after(f"{name}[{i}]")], g) for i, g in enumerate(given))


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


def too_much_memory(seen, limit, why):
    """The diagnosis: fail with `why` when the peak the probe measured is above `limit` bytes."""
    peak = float(seen[PEAK])
    if peak > limit:
        raise Failure(why, expected=f"well under {limit / 2**20:.1f} MiB at once", got=f"{peak / 2**20:.1f} MiB")
