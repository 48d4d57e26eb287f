"""Notebook 08: Hessian-vector products by backpropagating through the backward pass."""

import numpy as np

from .. import func
from ..tensor import Tensor
from .checking import Failure, as_numbers, compare, fmt, require_function
from .registry import Exercise, Mutant, register
from .vectors import _peak_bytes


def hvp(f, x, v):
    """Return H·v, the Hessian of the scalar function f at x times v, without forming H.

    f takes a Tensor and returns a scalar Tensor; x and v are 1-D ndarrays.
    """
    x = Tensor(x, requires_grad=True)
    f(x).backward(create_graph=True)   # the gradient, recorded as a graph of its own
    grad = x.grad
    x.grad = None                      # leaves accumulate: start the second pass from zero
    (grad * Tensor(v)).sum().backward()  # d/dx [∇f(x)·v] = H·v
    return x.grad.numpy()


# Known-wrong answers ---------------------------------------------------------------------------------
def _hvp_gradient_only(f, x, v):
    x = Tensor(x, requires_grad=True)
    f(x).backward()
    return x.grad.numpy()


def _hvp_no_reset(f, x, v):
    x = Tensor(x, requires_grad=True)
    f(x).backward(create_graph=True)
    (x.grad * Tensor(v)).sum().backward()
    return x.grad.numpy()


def _hvp_ignores_v(f, x, v):
    x = Tensor(x, requires_grad=True)
    f(x).backward(create_graph=True)
    grad = x.grad
    x.grad = None
    grad.sum().backward()
    return x.grad.numpy()


def _hvp_finite_differences(f, x, v, eps=1e-5):
    def gradient(at):
        t = Tensor(at, requires_grad=True)
        f(t).backward()
        return t.grad.numpy()
    return (gradient(x + eps * v) - gradient(x - eps * v)) / (2 * eps)


def _hvp_no_create_graph(f, x, v):
    x = Tensor(x, requires_grad=True)
    f(x).backward()
    grad = x.grad
    x.grad = None
    (grad * Tensor(v)).sum().backward()
    return x.grad.numpy()


def _hvp_full_hessian(f, x, v):
    return func.hessian(f)(Tensor(x)).numpy() @ v


# The check -------------------------------------------------------------------------------------------
def _lecture(t):
    return t[0] ** 2 * t[1] + t[1] ** 3


def _functions(rng, n):
    """(description, f, gradient, Hessian) for test functions with known derivatives."""
    c = rng.normal(size=n)
    A = rng.normal(size=(n, n))
    return [
        ("f(x) = Σ c·tanh(x)", lambda t: (Tensor(c) * t.tanh()).sum(),
         lambda x: c * (1 - np.tanh(x) ** 2), lambda x: np.diag(-2 * c * np.tanh(x) * (1 - np.tanh(x) ** 2))),
        ("f(x) = ½ xᵀAx with A not symmetric", lambda t: 0.5 * (t * (Tensor(A) @ t)).sum(),
         lambda x: 0.5 * (A + A.T) @ x, lambda x: 0.5 * (A + A.T)),
        ("f(x) = Σ exp(3x) + x0·x1", lambda t: (3 * t).exp().sum() + t[0] * t[1],
         lambda x: 3 * np.exp(3 * x) + np.r_[x[1], x[0], np.zeros(n - 2)],
         lambda x: np.diag(9 * np.exp(3 * x)) + np.eye(n, k=1) * (np.arange(n) == 0)[:, None]
         + np.eye(n, k=-1) * (np.arange(n) == 1)[:, None]),
    ]


def _alternatives(g, Hv, H):
    return [
        ((g,), "That is the gradient ∇f(x), not H·v: backpropagate a second time, through ∇f(x)·v."),
        ((g + Hv,), "Your result still contains ∇f(x): x.grad kept the first backward's gradient (leaves accumulate). "
                    "Take the gradient, set x.grad = None, then run the second backward."),
        ((H.sum(axis=1),), "You differentiated Σ ∇f(x), which ignores v: multiply the gradient by v before the "
                           "second backward, since ∂/∂x [∇f(x)·v] = H·v."),
    ]


NEAR = ("Close, but not exact: this looks like a finite-difference approximation. Differentiate the backward pass "
        "itself, with backward(create_graph=True): the result is then exact up to rounding.")


def _advice(exc):
    if isinstance(exc, RuntimeError) and "does not require grad" in str(exc):
        return ("The gradient from the first backward is a plain array, not a graph: pass create_graph=True to the "
                "first backward so that the gradient itself can be differentiated.")
    return None


def _check(t, fn):
    require_function(fn, "hvp")
    if fn is func.hvp:
        raise Failure("That is the library's own func.hvp: write it yourself with two backward passes.")
    rng = np.random.default_rng(11)
    x0, v0 = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    H0 = np.array([[2 * x0[1], 2 * x0[0]], [2 * x0[0], 6 * x0[1]]])
    cases = [("the lecture's L = x1²·x2 + x2³ at (1, 2) with v = (1, 0)", _lecture, x0, v0,
              np.array([2 * x0[0] * x0[1], x0[0] ** 2 + 3 * x0[1] ** 2]), H0)]
    for description, f, grad, hess in _functions(rng, 5):
        x, v = rng.normal(size=5), rng.normal(size=5)
        cases.append((f"{description} at x = {fmt(x)}, v = {fmt(v)}", f, x, v, grad(x), hess(x)))
    for description, f, x, v, g, H in cases:
        t.case(description)
        got = as_numbers(fn(f, x.copy(), v.copy()), ("H·v",))
        compare(got, (H @ v,), ("H·v",), _alternatives(g, H @ v, H), near_miss=NEAR, rtol=1e-12, atol=1e-12)
    n = 600
    description, f, grad, hess = _functions(rng, n)[0]
    t.case(f"{description} with n = {n}: no n×n Hessian may be formed")
    x, v = rng.normal(size=n), rng.normal(size=n)
    out, peak = _peak_bytes(fn, f, x, v)
    if peak > n * n * 8 / 2:
        raise Failure(f"Your function allocated {peak / 2**20:.1f} MiB for n = {n}: enough for the n×n Hessian. "
                      "Backpropagate through ∇f(x)·v instead; that never forms H.",
                      expected=f"well under {n * n * 8 / 2**21:.1f} MiB", got=f"{peak / 2**20:.1f} MiB")
    compare(as_numbers(out, ("H·v",)), (hess(x) @ v,), ("H·v",), near_miss=NEAR, rtol=1e-12, atol=1e-12)


register(Exercise(
    id="hvp",
    title="Hessian-vector products by double backward",
    notebook="08",
    section="13",
    points=3,
    prompt="Return H·v for a scalar function f at x, using the library's backward(create_graph=True) twice and "
           "never forming the Hessian H.",
    check=_check,
    hints=(
        "∂/∂x [∇f(x)·v] = H·v: first get ∇f(x) as a graph, then backpropagate through its dot product with v.",
        "x = Tensor(x, requires_grad=True); f(x).backward(create_graph=True) makes x.grad a Tensor you can "
        "differentiate.",
        "Keep grad = x.grad, set x.grad = None (leaves accumulate), then (grad * Tensor(v)).sum().backward(); "
        "the answer is x.grad. The lecture's example gives (4, 2).",
    ),
    reference=hvp,
    imports="from backprop_course import Tensor",
    advice=_advice,
    mutants=(
        Mutant(_hvp_gradient_only, "not H·v", "returns the gradient"),
        Mutant(_hvp_no_reset, "leaves accumulate", "forgets to clear x.grad between the passes"),
        Mutant(_hvp_ignores_v, "ignores v", "differentiates Σ ∇f instead of ∇f·v"),
        Mutant(_hvp_finite_differences, "finite-difference", "central differences of the gradient"),
        Mutant(_hvp_no_create_graph, "create_graph=True", "first backward without create_graph"),
        Mutant(_hvp_full_hessian, "n×n Hessian", "forms the full Hessian with func.hessian"),
    ),
    time_limit=20.0,
))
