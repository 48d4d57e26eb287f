"""Probing an answer on copies of its array inputs, and the diagnosis that it left them as they were."""

import numpy as np

from .checking import Failure, Seen, as_numbers
from .vectors import WROTE_INTO

AFTER = " after the call"


def on_copies(answer, outputs, **inputs):
    """Seen: the outputs `answer` returns for copies of `inputs` (named, in call order), and each copy after the
    call, as `name + AFTER`."""
    copies = {name: np.array(a, copy=True) for name, a in inputs.items()}
    out = answer(*copies.values())
    seen = Seen(zip(outputs, as_numbers(out, outputs), strict=True))
    seen.update((name + AFTER, a) for name, a in copies.items())
    return seen


def kept(seen, **inputs):
    """Raise WROTE_INTO for the first of `inputs` that the answer's copy no longer equals."""
    for name, a in inputs.items():
        after = seen[name + AFTER]
        if after.shape != np.shape(a) or not np.array_equal(after, a):
            raise Failure(WROTE_INTO.format(name))
