"""Notebook 06: how many bytes the full Jacobian of a matmul would take."""

import numpy as np

from ... import func
from ..registry import Case, Exercise, Mistake


def jacobian_bytes(N, D, M, bytes_per_float=4):
    """Return the bytes the full Jacobian dy/dx would take, for y = x @ W with x [N×D] and W [D×M]."""
    rows = N * D   # one row per entry of x
    cols = N * M   # one column per entry of y
    return rows * cols * bytes_per_float


def _cases():
    rng = np.random.default_rng(10)
    cases = [(3, 2, 4), (64, 4096, 4096), (64, 4096, 4096, 8)]
    cases += [tuple(int(v) for v in rng.integers(2, 50, 3)) + (int(rng.choice([2, 4, 8])),) for _ in range(3)]
    return [Case(f"N = {a[0]}, D = {a[1]}, M = {a[2]}" + (f", bytes_per_float = {a[3]}" if len(a) > 3 else
                 " (default 4 bytes per float)") + (": the lecture's 256 GiB" if a == (64, 4096, 4096) else ""), a)
            for a in cases]


OWN_COUNT = "Count the bytes yourself: your code asked backprop_course.func, which does it for you."

EXERCISE = Exercise(
    id="jacobian_bytes",
    title="How big would dy/dx be?",
    notebook="06",
    section="10",
    points=1,
    prompt="For y = x @ W with x [N×D] and W [D×M], return the number of bytes the full Jacobian dy/dx would take.",
    reference=jacobian_bytes,
    cases=_cases,
    own_work=((func, OWN_COUNT),),
    outputs=("the size in bytes",),
    rtol=0,
    atol=0,
    mistakes=(
        Mistake(lambda N, D, M, b=4: D * M * N * M * b, "That is the size of dy/dW, (D·M)×(N·M). dy/dx has one row "
                                                        "per entry of x (N·D) and one column per entry of y (N·M)."),
        Mistake(lambda N, D, M, b=4: N * D * N * M, "That is the number of floats; multiply by bytes_per_float to "
                                                    "get bytes."),
        Mistake(lambda N, D, M, b=4: N * D * M * b, "N appears twice: dy/dx has one row per entry of x (N·D) and one "
                                                    "column per entry of y (N·M)."),
        Mistake(lambda N, D, M, b=4: D * M * b, "That is the size of W itself. The Jacobian dy/dx relates every "
                                                "entry of x to every entry of y."),
        Mistake(lambda N, D, M, b=4: N * D * N * M * b / 2**30, "Return bytes, not GiB (1 GiB = 2**30 bytes)."),
    ),
    hints=(
        "The Jacobian has one row for every entry of x and one column for every entry of y.",
        "How many entries do x and y have? Each entry of the Jacobian takes bytes_per_float bytes.",
        "Check: N = 64, D = M = 4096 in float32 gives 256 GiB.",
    ),
)
