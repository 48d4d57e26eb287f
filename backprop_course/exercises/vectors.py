"""Notebooks 05 and 06: vector-Jacobian products for ReLU and matmul, and what a Jacobian would cost."""

import tracemalloc

import numpy as np

from .. import func
from .checking import CHAIN_RULE, Failure, fmt
from .registry import Case, Exercise, Mistake, register


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


def unchanged(fn, *arrays, names):
    """fn(*arrays) on copies, failing with WROTE_INTO, naming the first array it wrote into."""
    copies = [a.copy() for a in arrays]
    out = fn(*copies)
    for name, a, c in zip(names, arrays, copies, strict=True):
        if not np.array_equal(a, c):
            raise Failure(WROTE_INTO.format(name))
    return out


WROTE_INTO = ("Your function wrote into {}, an array it was given: whoever called it may still need that array "
              "(an upstream gradient often goes on to other branches of the graph). Compute the result in a new array.")


# ReLU ------------------------------------------------------------------------------------------------
def relu_vjp(x, grad_y):
    """Return dL/dx for y = relu(x), given grad_y = dL/dy (arrays of x's shape). Never build the
    Jacobian."""
    return grad_y * (x > 0)   # the diagonal Jacobian applied implicitly: a mask


def _relu_jacobian(x, grad_y):
    jacobian = np.diag((x.ravel() > 0).astype(float))
    return (jacobian @ grad_y.ravel()).reshape(x.shape)


def _relu_in_place(x, grad_y):
    grad_y[x <= 0] = 0
    return grad_y


RELU_ARGS = ("x", "grad_y")
JACOBIAN = ("Your function allocated as much memory at once as an n×n Jacobian would take. ReLU's Jacobian is "
            "diagonal, so never build it: work elementwise. That is a vector-Jacobian product.")
RELU_N = 4000


def _relu_run(answer, x, g, measure=False):
    if not measure:
        return unchanged(answer, x, g, names=RELU_ARGS)
    out, peak = peak_bytes(lambda: unchanged(answer, x, g, names=RELU_ARGS))
    if peak > 3 * x.size ** 2:  # a float32 Jacobian takes 4·n² bytes, a float64 one 8·n²
        raise Failure(JACOBIAN, expected=f"well under {3 * x.size ** 2 / 2**20:.0f} MiB at once",
                      got=f"{peak / 2**20:.1f} MiB")
    return out


def _relu_cases():
    rng = np.random.default_rng(8)
    x1 = np.array([0.0, 1.5, -2.0, 3.0, -0.5, 0.0, 2.0])
    g1 = np.array([2.0, -1.0, 3.0, 0.0, -4.0, -1.0, 5.0])   # signs differ from x's, so a mask on g fails
    return [Case("the lecture's x = [1, -2, 3, -1], grad_y = [4, -1, 5, 9]",
                 (np.array([1.0, -2.0, 3.0, -1.0]), np.array([4.0, -1.0, 5.0, 9.0]))),
            Case(f"x = {fmt(x1)}, grad_y = {fmt(g1)}", (x1, g1)),
            Case("x and grad_y of shape (3, 5), with zeros and negative values",
                 (rng.integers(-2, 3, (3, 5)).astype(float), rng.normal(size=(3, 5)))),
            Case(f"n = {RELU_N}: no n×n Jacobian may be built", (rng.normal(size=RELU_N), rng.normal(size=RELU_N),
                                                                 True))]


register(Exercise(
    id="relu_vjp",
    title="The ReLU VJP, without a Jacobian",
    notebook="05",
    section="9",
    points=2,
    prompt="Return dL/dx for y = relu(x) given the upstream dL/dy, without building the n×n Jacobian.",
    reference=relu_vjp,
    cases=_relu_cases,
    outputs=("dL/dx",),
    probe=_relu_run,
    by_hand=True,
    mistakes=(
        Mistake(lambda x, g: g * (g > 0), "The mask depends on the input x (1 where x > 0, else 0), not on the "
                                          "upstream gradient: ReLU lets through whatever gradient arrives where its "
                                          "input was positive, negative gradients included."),
        Mistake(_relu_jacobian, JACOBIAN),
        Mistake(lambda x, g: (x > 0).astype(float), CHAIN_RULE),
        Mistake(lambda x, g: g * (x >= 0), "x = 0 is the kink of the ReLU, and there the course's rule (the "
                                           "engine's too) gives gradient 0: the gradient passes only where x > 0, "
                                           "strictly."),
        Mistake(lambda x, g: np.maximum(x, 0), "That is the forward output relu(x), not the gradient dL/dx."),
        Mistake(lambda x, g: g, "Where x < 0 the ReLU is flat, so its local gradient there is 0 (and at the kink, "
                                "x = 0, the course's rule is 0 too): the gradient passes only where x > 0."),
        Mistake(lambda x, g: np.maximum(x, 0) * g, "relu(x)·grad_y scales the gradient by the input's value: the "
                                                   "local gradient is 1 or 0, not relu(x)."),
        Mistake(lambda x, g: g * np.sign(x), "sign(x) is −1 where x < 0, which sends a flipped gradient through a "
                                             "flat part: ReLU's local gradient there is 0."),
        Mistake(_relu_in_place, WROTE_INTO.format("grad_y")),
    ),
    hints=(
        "ReLU's Jacobian is diagonal: entry (i, i) is 1 where x[i] > 0 and 0 elsewhere.",
        "Multiplying by a diagonal matrix is an elementwise product with its diagonal. Make a new array rather "
        "than writing into grad_y.",
        "Check on the lecture's example: x = [1, -2, 3, -1] with grad_y = [4, -1, 5, 9] gives [4, 0, 5, 0]; and "
        "x = 0 (the kink) gives 0 whatever grad_y is.",
    ),
))


# Matmul ----------------------------------------------------------------------------------------------
def matmul_backward(x, W, grad_y):
    """For y = x @ W with x [N×D], W [D×M] and grad_y = dL/dy [N×M], return (dL/dx, dL/dW)."""
    grad_x = grad_y @ W.T   # [N×M]·[M×D] = [N×D], the shape of x
    grad_W = x.T @ grad_y   # [D×N]·[N×M] = [D×M], the shape of W
    return grad_x, grad_W


DIMENSIONS = ("Dimension analysis: dL/dx has the shape of x [N×D] and dL/dW the shape of W [D×M]. Find the "
              "product of dL/dy [N×M] with W or x (each maybe transposed) that has that shape; where two fit (a square "
              "layer, D = M), the index form y[n,m] = Σ_d x[n,d]·W[d,m] decides.")


NOT_DIVIDED = ("Nothing is divided by N here: each row of dL/dy already carries its own sample's gradient (a mean "
               "over the batch belongs to the loss, and is already in dL/dy).")


MISALIGNED = "The shapes don't line up. " + DIMENSIONS


def _matmul_run(answer, x, W, g):
    try:
        return unchanged(answer, x, W, g, names=("x", "W", "grad_y"))
    except ValueError as exc:
        if any(word in str(exc) for word in ("matmul", "broadcast", "aligned")):
            raise Failure(MISALIGNED) from None
        raise


def _matmul_cases():
    rng = np.random.default_rng(9)
    lecture = (np.array([[2.0, 1, -3], [-3, 4, 2]]), np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]]),
               np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]]))
    cases = [Case("the lecture's x [2×3], W [3×4], dL/dy [2×4]", lecture)]
    for n, d, m in [(5, 3, 4), (1, 6, 2), (7, 2, 5), (3, 3, 3)]:
        cases.append(Case(f"N = {n}, D = {d}, M = {m}", (rng.normal(size=(n, d)), rng.normal(size=(d, m)),
                                                          rng.normal(size=(n, m)))))
    return cases


register(Exercise(
    id="matmul_backward",
    title="Backward through y = x·W",
    notebook="06",
    section="10",
    points=3,
    prompt="For y = x @ W return (dL/dx, dL/dW) from x [N×D], W [D×M] and the upstream dL/dy [N×M]. Let the shapes "
           "guide you.",
    reference=matmul_backward,
    cases=_matmul_cases,
    outputs=("dL/dx", "dL/dW"),
    probe=_matmul_run,
    by_hand=True,
    shape_why=DIMENSIONS,
    mistakes=(
        Mistake(lambda x, W, g: (np.ones_like(g) @ W.T, x.T @ np.ones_like(g)),
                "You computed the gradient as if dL/dy were all ones: the upstream gradient dL/dy must be one of "
                "the factors."),
        Mistake(lambda x, W, g: (g @ W, x.T @ g), MISALIGNED),
        Mistake(lambda x, W, g: (g @ W.T, g.T @ x), "dL/dW has the wrong shape. " + DIMENSIONS),
        Mistake(lambda x, W, g: (x.T @ g, g @ W.T), "dL/dx has the wrong shape. " + DIMENSIONS),
        Mistake(lambda x, W, g: (g @ W.T, x.T @ g / len(x)), NOT_DIVIDED),
        Mistake(lambda x, W, g: (g @ W.T / len(x), x.T @ g / len(x)), NOT_DIVIDED),
    ),
    hints=(
        "dL/dx must have the shape of x, [N×D], and dL/dW the shape of W, [D×M].",
        "Which product of dL/dy [N×M] with W [D×M] (or its transpose) gives [N×D]? And of x with dL/dy gives [D×M]?",
        "Check on the lecture's example: dL/dx[1,1] = 0 and dL/dx[2,3] = -30 (counting from 1), and dL/dW has "
        "shape 3×4.",
    ),
))


# Jacobian size -------------------------------------------------------------------------------------------
def jacobian_bytes(N, D, M, bytes_per_float=4):
    """Return the bytes the full Jacobian dy/dx would take, for y = x @ W with x [N×D] and W [D×M]."""
    rows = N * D   # one row per entry of x
    cols = N * M   # one column per entry of y
    return rows * cols * bytes_per_float


def _bytes_cases():
    rng = np.random.default_rng(10)
    cases = [(3, 2, 4), (64, 4096, 4096), (64, 4096, 4096, 8)]
    cases += [tuple(int(v) for v in rng.integers(2, 50, 3)) + (int(rng.choice([2, 4, 8])),) for _ in range(3)]
    return [Case(f"N = {a[0]}, D = {a[1]}, M = {a[2]}" + (f", bytes_per_float = {a[3]}" if len(a) > 3 else
                 " (default 4 bytes per float)") + (": the lecture's 256 GiB" if a == (64, 4096, 4096) else ""), a)
            for a in cases]


OWN_COUNT = "Count the bytes yourself: your code asked backprop_course.func, which does it for you."

register(Exercise(
    id="jacobian_bytes",
    title="How big would dy/dx be?",
    notebook="06",
    section="10",
    points=1,
    prompt="For y = x @ W with x [N×D] and W [D×M], return the number of bytes the full Jacobian dy/dx would take.",
    reference=jacobian_bytes,
    cases=_bytes_cases,
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
))
