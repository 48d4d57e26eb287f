"""Lists of arrays an answer is handed and must leave as they were: what it left in them becomes named numbers,
which a diagnosis compares with what it was given."""

import numpy as np


def left_in(name, handed, count):
    """{"name[i] after the call": array} for the `count` arrays the list `handed` held (NaN where it lost one)."""
    return {f"{name}[{i}] after the call": handed[i] if i < len(handed) else np.nan for i in range(count)}


def changed(seen, name, given):
    """Did the answer change any array of the list `name`, which was given as `given`?"""
    return not all(np.array_equal(seen[f"{name}[{i}] after the call"], g) for i, g in enumerate(given))
