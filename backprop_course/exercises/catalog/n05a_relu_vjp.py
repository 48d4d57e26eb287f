"""Notebook 05: the ReLU vector-Jacobian product, without building the Jacobian."""

import numpy as np

from ..checking import CHAIN_RULE, fmt
from ..registry import Case, Exercise, Mistake
from ..side_effects import PEAK, WROTE_INTO, peak_bytes, too_much_memory, with_arguments, written_into


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


JACOBIAN = ("Your function allocated as much memory at once as an n×n Jacobian would take. ReLU's Jacobian is "
            "diagonal, so never build it: work elementwise. That is a vector-Jacobian product.")
N_LARGE = 4000


def probe(answer, x, grad_y, measure=False):
    """dL/dx, x and grad_y as the answer left them, and on the large case the peak bytes it took."""
    out, peak = peak_bytes(answer, x, grad_y) if measure else (answer(x, grad_y), 0)
    seen = with_arguments(out, ("dL/dx",), x=x, grad_y=grad_y)
    seen[PEAK] = peak
    return seen


def untouched(seen, x, grad_y, measure=False):
    """The diagnosis: x and grad_y are as they were given."""
    written_into(seen, x=x, grad_y=grad_y)


def no_jacobian(seen, x, grad_y, measure=False):
    """The diagnosis: on the large case, well under the memory of a float32 Jacobian (4·n² bytes) at once."""
    if measure:
        too_much_memory(seen, 3 * x.size ** 2, JACOBIAN)


def _cases():
    rng = np.random.default_rng(8)
    x1 = np.array([0.0, 1.5, -2.0, 3.0, -0.5, 0.0, 2.0])
    g1 = np.array([2.0, -1.0, 3.0, 0.0, -4.0, -1.0, 5.0])   # signs differ from x's, so a mask on g fails
    return [Case("the lecture's x = [1, -2, 3, -1], grad_y = [4, -1, 5, 9]",
                 (np.array([1.0, -2.0, 3.0, -1.0]), np.array([4.0, -1.0, 5.0, 9.0]))),
            Case(f"x = {fmt(x1)}, grad_y = {fmt(g1)}", (x1, g1)),
            Case("x and grad_y of shape (3, 5), with zeros and negative values",
                 (rng.integers(-2, 3, (3, 5)).astype(float), rng.normal(size=(3, 5)))),
            Case(f"n = {N_LARGE}: no n×n Jacobian may be built", (rng.normal(size=N_LARGE),
                                                                  rng.normal(size=N_LARGE), True))]


EXERCISE = Exercise(
    id="relu_vjp",
    title="The ReLU VJP, without a Jacobian",
    notebook="05",
    section="9",
    points=2,
    prompt="Return dL/dx for y = relu(x) given the upstream dL/dy, without building the n×n Jacobian.",
    reference=relu_vjp,
    cases=_cases,
    outputs=("dL/dx",),
    probe=probe,
    diagnoses=(untouched, no_jacobian),
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
)
