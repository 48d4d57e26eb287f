"""Notebook 08: Hessian-vector products by backpropagating through the backward pass."""

import numpy as np

from ... import func
from ...tensor import Tensor
from ..checking import Failure, Seen, fmt
from ..registry import Case, Exercise, Mistake
from ..side_effects import PEAK, peak_bytes, too_much_memory


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
def _first_pass(f, x, create_graph=True):
    x = Tensor(x, requires_grad=True)
    f(x).backward(create_graph=create_graph)
    return x, x.grad


def _hvp_gradient_only(f, x, v):
    return _first_pass(f, x)[1].numpy()


def _second_pass(weight, reset=True, create_graph=True):
    def answer(f, x, v):
        x, grad = _first_pass(f, x, create_graph)
        if reset:
            x.grad = None
        weight(grad, Tensor(v)).sum().backward()
        return x.grad.numpy()
    return answer


def _hvp_finite_differences(f, x, v, eps=1e-5):
    def gradient(at):
        return _first_pass(f, at, create_graph=False)[1].numpy()
    return (gradient(x + eps * v) - gradient(x - eps * v)) / (2 * eps)


# The check -------------------------------------------------------------------------------------------
def _lecture(t):
    return t[0] ** 2 * t[1] + t[1] ** 3


def _functions(rng, n):
    """(description, f, Hessian) for test functions with known second derivatives."""
    c = rng.normal(size=n)
    A = rng.normal(size=(n, n))
    return [
        ("f(x) = Σ c·tanh(x)", lambda t: (Tensor(c) * t.tanh()).sum(),
         lambda x: np.diag(-2 * c * np.tanh(x) * (1 - np.tanh(x) ** 2))),
        ("f(x) = ½ xᵀAx with A not symmetric", lambda t: 0.5 * (t * (Tensor(A) @ t)).sum(), lambda x: 0.5 * (A + A.T)),
        ("f(x) = Σ exp(3x) + x0·x1", lambda t: (3 * t).exp().sum() + t[0] * t[1],
         lambda x: np.diag(9 * np.exp(3 * x)) + np.eye(n, k=1) * (np.arange(n) == 0)[:, None]
         + np.eye(n, k=-1) * (np.arange(n) == 1)[:, None]),
    ]


NEAR = ("Close, but not exact: this looks like a finite-difference approximation. Differentiate the backward pass "
        "itself, with backward(create_graph=True): the result is then exact up to rounding.")
NO_GRAPH = ("The gradient from the first backward is a plain array, not a graph: pass create_graph=True to the first "
            "backward so that the gradient itself can be differentiated.")
HESSIAN = ("Your function allocated as much memory at once as the n×n Hessian. Backpropagate through ∇f(x)·v "
           "instead; that never forms H.")
OWN = ("This exercise asks you to build H·v from two backward passes yourself; your code used "
       "backprop_course.func, which does it for you.")
N_BIG = 1500


def probe(answer, f, x, v, measure=False):
    """H·v, and on the large case the peak bytes it took; a second backward through a plain array is NO_GRAPH."""
    try:
        out, peak = peak_bytes(answer, f, x, v) if measure else (answer(f, x, v), 0)
    except RuntimeError as exc:
        if "does not require grad" in str(exc):
            raise Failure(NO_GRAPH) from None
        raise
    return Seen({"H·v": out, PEAK: peak})


def no_hessian(seen, f, x, v, measure=False):
    """The diagnosis: on the large case, less memory at once than a float32 n×n Hessian (4·n² bytes)."""
    if measure:
        too_much_memory(seen, x.size ** 2 * 4, HESSIAN)


def _cases():
    rng = np.random.default_rng(11)
    cases = [Case("the lecture's L = x1²·x2 + x2³ at (1, 2) with v = (1, 0)",
                  (_lecture, np.array([1.0, 2.0]), np.array([1.0, 0.0])))]
    for description, f, _ in _functions(rng, 5):
        x, v = rng.normal(size=5), rng.normal(size=5)
        cases.append(Case(f"{description} at x = {fmt(x)}, v = {fmt(v)}", (f, x, v)))
    description, f, _ = _functions(rng, N_BIG)[0]
    cases.append(Case(f"{description} with n = {N_BIG}: no n×n Hessian may be formed",
                      (f, rng.normal(size=N_BIG), rng.normal(size=N_BIG), True)))
    return cases


EXERCISE = Exercise(
    id="hvp",
    title="Hessian-vector products by double backward",
    notebook="08",
    section="13",
    points=3,
    prompt="Return H·v for a scalar function f at x, using the library's backward(create_graph=True) twice and "
           "never forming the Hessian H.",
    reference=hvp,
    cases=_cases,
    outputs=("H·v",),
    probe=probe,
    diagnoses=(no_hessian,),
    own_work=((func, OWN),),
    rtol=1e-12,
    near_miss=NEAR,
    mistakes=(
        Mistake(_hvp_gradient_only, "That is the gradient ∇f(x), not H·v: backpropagate a second time, through "
                                    "∇f(x)·v."),
        Mistake(_second_pass(lambda g, v: g * v, reset=False),
                "Your result still contains ∇f(x): x.grad kept the first backward's gradient (leaves accumulate). "
                "Clear it between the two passes."),
        Mistake(_second_pass(lambda g, v: g), "You differentiated Σ ∇f(x), which ignores v: multiply the gradient "
                                              "by v before the second backward, since ∂/∂x [∇f(x)·v] = H·v."),
        Mistake(_second_pass(lambda g, v: g * g),
                "That is ∇‖∇f‖², the gradient of the squared gradient norm (the notebook's penalty example), not "
                "H·v: weight the gradient by v, not by itself."),
        Mistake(_hvp_finite_differences, NEAR),
        Mistake(_second_pass(lambda g, v: g * v, create_graph=False), NO_GRAPH),
        Mistake(lambda f, x, v: func.hessian(f)(Tensor(x)).numpy() @ v, OWN),
        Mistake(lambda f, x, v: func.hvp(f, (Tensor(x),), (Tensor(v),))[1][0].numpy(), OWN),
    ),
    hints=(
        "∂/∂x [∇f(x)·v] = H·v: first get ∇f(x) as a graph, then backpropagate through its dot product with v.",
        "Make x a Tensor that requires grad, and ask the first backward to record its own graph "
        "(create_graph=True): x.grad is then a Tensor you can differentiate.",
        "Leaves accumulate: keep the gradient in a variable and clear x.grad before the second backward; the "
        "answer is then in x.grad. The lecture's example gives (4, 2).",
    ),
    imports="from backprop_course import Tensor",
    time_limit=20.0,
)
