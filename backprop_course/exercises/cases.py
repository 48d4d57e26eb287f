"""Building cases: the lecture's point, then seeded random ones."""

import math

import numpy as np

from .checking import fmt
from .registry import Case


def points(lecture, seed, n, low, high, names):
    """The lecture's point, then `n` seeded random ones (3 decimals), as Cases named by `names`."""
    rng = np.random.default_rng(seed)
    found = [lecture] + [tuple(float(v) for v in rng.uniform(low, high, len(lecture)).round(3)) for _ in range(n)]
    return [Case(", ".join(f"{k} = {fmt(v)}" for k, v in zip(names, p, strict=True))
                 + (" (the lecture's point)" if p == lecture else ""), p) for p in found]


def sigmoid(v):
    """σ(v) for a float, for mistakes written in one line."""
    return 1 / (1 + math.exp(-v))
