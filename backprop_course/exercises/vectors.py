"""Notebooks 05 and 06: vector-Jacobian products for ReLU and matmul, and what a Jacobian would cost."""

import numbers
import tracemalloc

import numpy as np

from .checking import CHAIN_RULE, Failure, as_numbers, compare, fmt, require_function
from .registry import Exercise, Mutant, register


# ReLU ------------------------------------------------------------------------------------------------
def relu_vjp(x, grad_y):
    """Return dL/dx for y = relu(x), given grad_y = dL/dy (arrays of x's shape). Never build the Jacobian."""
    return grad_y * (x > 0)   # the diagonal Jacobian applied implicitly: a mask


def _relu_mask_on_upstream(x, grad_y):
    return grad_y * (grad_y > 0)


def _relu_jacobian(x, grad_y):
    jacobian = np.diag((x.ravel() > 0).astype(float))
    return (jacobian @ grad_y.ravel()).reshape(x.shape)


def _relu_mask_only(x, grad_y):
    return (x > 0).astype(float)


def _relu_zero_passes(x, grad_y):
    return grad_y * (x >= 0)


def _relu_in_place(x, grad_y):
    grad_y[x <= 0] = 0
    return grad_y


RELU_WHY = {
    "upstream": "The mask depends on the input x (1 where x > 0, else 0), not on the upstream gradient: ReLU lets "
                "through whatever gradient arrives where its input was positive, negative gradients included.",
    "zero": "At x = 0 the course's rule is gradient 0: use x > 0. Where x ≤ 0 the ReLU is flat (a dead ReLU).",
    "forward": "That is the forward output relu(x), not the gradient dL/dx.",
    "nomask": "Where x ≤ 0 the ReLU is flat, so its gradient there is 0 (a dead ReLU passes no gradient).",
}


def _relu_alternatives(x, g):
    return [((g * (g > 0),), RELU_WHY["upstream"]), ((1.0 * (x > 0),), CHAIN_RULE),
            ((g * (x >= 0),), RELU_WHY["zero"]), ((np.maximum(x, 0),), RELU_WHY["forward"]), ((g,), RELU_WHY["nomask"])]


def _peak_bytes(fn, *args):
    """Peak bytes allocated while fn(*args) runs (NumPy reports its buffers to tracemalloc)."""
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


def _check_relu(t, fn):
    require_function(fn, "relu_vjp")
    rng = np.random.default_rng(8)
    x1 = np.array([0.0, 1.5, -2.0, 3.0, -0.5, 0.0, 2.0])
    g1 = np.array([2.0, -1.0, 3.0, 0.0, -4.0, -1.0, 5.0])   # signs differ from x's, so a mask on g fails
    x2 = rng.integers(-2, 3, (3, 5)).astype(float)
    cases = [("the lecture's x = [1, -2, 3, -1], grad_y = [4, -1, 5, 9]",
              np.array([1.0, -2.0, 3.0, -1.0]), np.array([4.0, -1.0, 5.0, 9.0])),
             (f"x = {fmt(x1)}, grad_y = {fmt(g1)}", x1, g1),
             ("x and grad_y of shape (3, 5), with zeros and negative values", x2, rng.normal(size=(3, 5)))]
    for description, x, g in cases:
        t.case(description)
        x_in, g_in = x.copy(), g.copy()
        got = as_numbers(fn(x_in, g_in), ("dL/dx",))
        if not (np.array_equal(x_in, x) and np.array_equal(g_in, g)):
            raise Failure("Your function changed its input arrays in place. The upstream gradient may be shared "
                          "with other nodes (the add gate passes the same one to both inputs): compute a new "
                          "array instead, e.g. grad_y * mask.")
        compare(got, (g * (x > 0),), ("dL/dx",), _relu_alternatives(x, g))
    n = 2000
    t.case(f"n = {n}: no n×n Jacobian may be built")
    x, g = rng.normal(size=n), rng.normal(size=n)
    out, peak = _peak_bytes(fn, x, g)
    if peak > 50 * n * 8:
        raise Failure(f"Your function allocated {peak / 2**20:.1f} MiB for vectors of {n} numbers: that is an n×n "
                      f"Jacobian ({n}² entries). ReLU's Jacobian is diagonal, so never build it: multiply grad_y "
                      "by the mask (x > 0) elementwise. That is a vector-Jacobian product.",
                      expected=f"about {3 * n * 8 / 1024:.0f} KiB", got=f"{peak / 2**20:.1f} MiB")
    compare(as_numbers(out, ("dL/dx",)), (g * (x > 0),), ("dL/dx",), _relu_alternatives(x, g))


register(Exercise(
    id="relu_vjp",
    title="The ReLU VJP, without a Jacobian",
    notebook="05",
    section="9",
    points=2,
    prompt="Return dL/dx for y = relu(x) given the upstream dL/dy, without building the n×n Jacobian.",
    check=_check_relu,
    hints=(
        "ReLU's Jacobian is diagonal: entry (i, i) is 1 where x[i] > 0 and 0 elsewhere.",
        "Multiplying by a diagonal matrix is an elementwise product with its diagonal.",
        "return grad_y * (x > 0)  — the mask is about x, the input; at x = 0 the gradient is 0.",
    ),
    reference=relu_vjp,
    mutants=(
        Mutant(_relu_mask_on_upstream, "not on the upstream gradient", "masks where grad_y > 0"),
        Mutant(_relu_jacobian, "Jacobian", "builds the n×n diagonal Jacobian and multiplies"),
        Mutant(_relu_mask_only, "Downstream gradient = local gradient × upstream", "returns the mask only"),
        Mutant(_relu_zero_passes, "x = 0", "lets the gradient through at x = 0 (x >= 0)"),
        Mutant(_relu_in_place, "in place", "zeroes grad_y in place"),
    ),
))


# Matmul ----------------------------------------------------------------------------------------------
def matmul_backward(x, W, grad_y):
    """For y = x @ W with x [N×D], W [D×M] and grad_y = dL/dy [N×M], return (dL/dx, dL/dW)."""
    grad_x = grad_y @ W.T   # [N×M]·[M×D] = [N×D], the shape of x
    grad_W = x.T @ grad_y   # [D×N]·[N×M] = [D×M], the shape of W
    return grad_x, grad_W


def _matmul_W_not_transposed(x, W, grad_y):
    return grad_y @ W, x.T @ grad_y


def _matmul_xT_wrong_side(x, W, grad_y):
    return grad_y @ W.T, grad_y.T @ x


def _matmul_swapped_outputs(x, W, grad_y):
    return x.T @ grad_y, grad_y @ W.T


def _matmul_ignores_upstream(x, W, grad_y):
    ones = np.ones_like(grad_y)
    return ones @ W.T, x.T @ ones


DIMENSIONS = ("Dimension analysis: dL/dx has the shape of x [N×D] and dL/dW the shape of W [D×M]. The only "
              "products of dL/dy [N×M], x and W with those shapes are dL/dx = dL/dy·Wᵀ and dL/dW = xᵀ·dL/dy.")


def _matmul_advice(exc):
    text = str(exc)
    if isinstance(exc, ValueError) and ("matmul" in text or "broadcast" in text or "aligned" in text):
        return "The shapes don't line up. " + DIMENSIONS
    return None


def _check_matmul(t, fn):
    require_function(fn, "matmul_backward")
    rng = np.random.default_rng(9)
    lecture = (np.array([[2.0, 1, -3], [-3, 4, 2]]), np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]]),
               np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]]))
    cases = [("the lecture's x [2×3], W [3×4], dL/dy [2×4]", *lecture)]
    for n, d, m in [(5, 3, 4), (1, 6, 2), (7, 2, 5)]:
        cases.append((f"N = {n}, D = {d}, M = {m}", rng.normal(size=(n, d)), rng.normal(size=(d, m)),
                      rng.normal(size=(n, m))))
    for description, x, W, g in cases:
        t.case(description)
        got = as_numbers(fn(x.copy(), W.copy(), g.copy()), ("dL/dx", "dL/dW"))
        ones = np.ones_like(g)
        compare(got, (g @ W.T, x.T @ g), ("dL/dx", "dL/dW"),
                [((ones @ W.T, x.T @ ones), "You computed the gradient as if dL/dy were all ones: the upstream "
                                            "gradient dL/dy must be one of the factors.")],
                shape_why=DIMENSIONS)


register(Exercise(
    id="matmul_backward",
    title="Backward through y = x·W",
    notebook="06",
    section="10",
    points=3,
    prompt="For y = x @ W return (dL/dx, dL/dW) from x [N×D], W [D×M] and the upstream dL/dy [N×M]. Let the shapes "
           "guide you.",
    check=_check_matmul,
    hints=(
        "dL/dx must have the shape of x, [N×D], and dL/dW the shape of W, [D×M].",
        "Which product of dL/dy [N×M] with W [D×M] (or its transpose) gives [N×D]? And of x with dL/dy gives [D×M]?",
        "dL/dx = dL/dy @ W.T and dL/dW = x.T @ dL/dy. At the lecture's numbers dL/dx = [[0, 16, -9], [-24, 9, -30]].",
    ),
    reference=matmul_backward,
    advice=_matmul_advice,
    mutants=(
        Mutant(_matmul_W_not_transposed, "Dimension analysis", "dL/dy @ W (W instead of Wᵀ)"),
        Mutant(_matmul_xT_wrong_side, "dL/dW must have shape", "dL/dy.T @ x: xᵀ on the wrong side"),
        Mutant(_matmul_swapped_outputs, "dL/dx must have shape", "returns (dL/dW, dL/dx)"),
        Mutant(_matmul_ignores_upstream, "all ones", "uses ones in place of dL/dy"),
    ),
))


# Jacobian size -------------------------------------------------------------------------------------------
def jacobian_bytes(N, D, M, bytes_per_float=4):
    """Return the bytes the full Jacobian dy/dx would take, for y = x @ W with x [N×D] and W [D×M]."""
    rows = N * D   # one row per entry of x
    cols = N * M   # one column per entry of y
    return rows * cols * bytes_per_float


def _bytes_dy_dW(N, D, M, bytes_per_float=4):
    return D * M * N * M * bytes_per_float


def _bytes_floats(N, D, M, bytes_per_float=4):
    return N * D * N * M


def _bytes_batch_once(N, D, M, bytes_per_float=4):
    return N * D * M * bytes_per_float


def _bytes_gib(N, D, M, bytes_per_float=4):
    return N * D * N * M * bytes_per_float / 2**30


def _check_bytes(t, fn):
    require_function(fn, "jacobian_bytes")
    rng = np.random.default_rng(10)
    cases = [(2, 3, 4), (64, 4096, 4096), (64, 4096, 4096, 8)]
    cases += [tuple(int(v) for v in rng.integers(2, 50, 3)) + (int(rng.choice([2, 4, 8])),) for _ in range(3)]
    for args in cases:
        shown = f"N = {args[0]}, D = {args[1]}, M = {args[2]}" + (
            f", bytes_per_float = {args[3]}" if len(args) > 3 else " (default 4 bytes per float)")
        if args[:3] == (64, 4096, 4096) and len(args) == 3:
            shown += ": the lecture's 256 GiB"
        t.case(shown)
        got = fn(*args)
        n, d, m, b = (*args, 4)[:4]
        expected = n * d * n * m * b
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Failure(f"Return a number of bytes (an int); got {type(got).__name__} {got!r:.40}.")
        alternatives = [
            (_bytes_dy_dW(*args), "That is the size of dy/dW, (D·M)×(N·M). dy/dx has one row per entry of x (N·D) "
                                  "and one column per entry of y (N·M)."),
            (_bytes_floats(*args), "That is the number of floats; multiply by bytes_per_float to get bytes."),
            (_bytes_batch_once(*args), "N appears twice: dy/dx has one row per entry of x (N·D) and one column "
                                       "per entry of y (N·M)."),
            (_bytes_gib(*args), "Return bytes, not GiB (1 GiB = 2**30 bytes)."),
        ]
        compare((got,), (expected,), ("the size in bytes",), [((a,), why) for a, why in alternatives],
                rtol=0, atol=0.5)
        if not isinstance(got, (int, np.integer)):
            raise Failure(f"Right value, but return it as an int (a count of bytes), not {type(got).__name__}: "
                          "use integer arithmetic (no / and no floats).", expected=str(expected), got=repr(got))


register(Exercise(
    id="jacobian_bytes",
    title="How big would dy/dx be?",
    notebook="06",
    section="10",
    points=1,
    prompt="For y = x @ W with x [N×D] and W [D×M], return the number of bytes the full Jacobian dy/dx would take.",
    check=_check_bytes,
    hints=(
        "The Jacobian has one row for every entry of x and one column for every entry of y.",
        "x has N·D entries and y has N·M, so dy/dx has (N·D)·(N·M) entries, each bytes_per_float bytes.",
        "N = 64, D = M = 4096 in float32 gives 2**36 floats × 4 bytes = 256 GiB.",
    ),
    reference=jacobian_bytes,
    mutants=(
        Mutant(_bytes_dy_dW, "size of dy/dW", "the size of dy/dW instead"),
        Mutant(_bytes_floats, "number of floats", "counts floats, not bytes"),
        Mutant(_bytes_batch_once, "N appears twice", "counts the batch once: N·D·M floats"),
        Mutant(_bytes_gib, "not GiB", "returns GiB"),
    ),
))
